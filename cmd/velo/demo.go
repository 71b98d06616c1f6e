package main

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/velo-rna/velo"
	"github.com/velo-rna/velo/simulate"
)

func newDemoCmd(g *globals) *cobra.Command {
	var (
		dir   string
		cells int
		genes int
		seed  uint64
	)
	cmd := &cobra.Command{
		Use:   "demo [-o DIR]",
		Short: "Simulate a branching trajectory, run the pipeline on it and draw the results",
		Long: `demo needs no data: it simulates spliced/unspliced counts with known kinetics
(see 'velo simulate'), runs the full stochastic pipeline on them and writes to
DIR: simulated.h5ad (the input), result.h5ad (velo's output), stream.png (the
velocity stream plot on velo's own UMAP), phase.png (phase portraits of the
best-fitted genes) and report.html. It also prints how well the fitted γ
recovers the simulated truth.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			r := g.reporter()
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return err
			}
			start := time.Now()
			a, err := simulate.Simulate(simulate.Options{Cells: cells, Genes: genes, Seed: seed, Threads: g.threadCount()})
			if err != nil {
				return err
			}
			input := filepath.Join(dir, "simulated.h5ad")
			if err := writeH5AD(input, a); err != nil {
				return err
			}
			r.Logf("Simulated %d cells × %d genes → %s", a.NObs(), a.NVars(), input)
			if _, err := velo.Run(cmd.Context(), a, velo.Options{Seed: seed, Threads: g.threadCount(), Logf: r.Logf, Progress: r.Callback}); err != nil {
				return err
			}
			result := filepath.Join(dir, "result.h5ad")
			if err := writeH5AD(result, a); err != nil {
				return err
			}
			r.Logf("Wrote %s", result)
			if err := demoFigures(dir, a, r.Logf); err != nil {
				return err
			}
			rho, n, err := velo.GammaRecovery(a)
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "demo: %d velocity genes; Spearman correlation of fitted γ with the true γ: %.3f; outputs in %s (%.1f s)\n",
				n, rho, dir, time.Since(start).Seconds())
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVarP(&dir, "output", "o", "velo-demo", "output directory")
	f.IntVar(&cells, "cells", 2000, "simulated cells")
	f.IntVar(&genes, "genes", 300, "simulated genes")
	f.Uint64Var(&seed, "seed", 0, "random seed")
	return cmd
}
