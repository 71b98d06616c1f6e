package main

import (
	"github.com/spf13/cobra"

	"github.com/velo-rna/velo/simulate"
)

func newSimulateCmd(g *globals) *cobra.Command {
	var (
		opts simulate.Options
		out  string
	)
	cmd := &cobra.Command{
		Use:   "simulate -o OUT.h5ad",
		Short: "Simulate spliced/unspliced counts on a branching trajectory with known γ",
		Long: `simulate draws spliced and unspliced UMI counts from RNA splicing kinetics
(du/dt = α − βu, ds/dt = βu − γs, β = 1) along a trajectory that branches from
"Progenitor" through "Intermediate" into two fates. The truth is stored with
the counts: var true_gamma, true_alpha, true_beta; obs true_t, branch,
clusters; layer true_velocity (βu − γs of the noise-free values).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkOutput(out, ".h5ad"); err != nil {
				return err
			}
			opts.Threads = g.threadCount()
			a, err := simulate.Simulate(opts)
			if err != nil {
				return err
			}
			if err := writeH5AD(out, a); err != nil {
				return err
			}
			g.reporter().Logf("Wrote %s: %d cells × %d genes.", out, a.NObs(), a.NVars())
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVarP(&out, "output", "o", "", "output .h5ad file (required)")
	f.IntVar(&opts.Cells, "cells", simulate.DefaultCells, "number of cells")
	f.IntVar(&opts.Genes, "genes", simulate.DefaultGenes, "number of genes")
	f.IntVar(&opts.Fates, "fates", simulate.DefaultFates, "number of terminal fates (2 or 3)")
	f.Uint64Var(&opts.Seed, "seed", 0, "random seed")
	return cmd
}
