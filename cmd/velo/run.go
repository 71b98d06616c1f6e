package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/velo-rna/velo"
)

type runOptions struct {
	out          string
	alevinCounts string
	pipeline     velo.Options
}

func newRunCmd(g *globals) *cobra.Command {
	o := &runOptions{}
	cmd := &cobra.Command{
		Use:   "run INPUT -o OUT.h5ad",
		Short: "Run the whole pipeline: filter, normalise, PCA, neighbours, moments, velocity, graph, embedding",
		Long: `run applies scVelo's tutorial recipe to INPUT (h5ad, loom, or a STARsolo,
kallisto|bustools or alevin-fry output directory) and writes OUT.h5ad with
scVelo's keys: layers Ms, Mu, velocity (and variance_velocity in stochastic
mode); var velocity_gamma, velocity_r2, velocity_genes, velocity_gamma_se,
velocity_gamma_ci_low/high; uns velocity_graph; obsm X_umap, velocity_umap;
obs velocity_confidence, velocity_length, velocity_pseudotime.

Steps whose results INPUT already holds are reused as scVelo does: normalised
layers, a PCA, a neighbour graph with enough neighbours, an X_umap embedding.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runRun(cmd, g, o, args[0])
		},
	}
	f := cmd.Flags()
	f.StringVarP(&o.out, "output", "o", "", "output .h5ad file (required)")
	f.StringVar(&o.pipeline.Mode, "mode", "stochastic", "velocity model: stochastic or deterministic")
	f.BoolVar(&o.pipeline.FitOffset, "fit-offset", false, "fit an intercept in the steady-state regression")
	f.IntVar(&o.pipeline.MinSharedCounts, "min-shared-counts", 20, "keep genes with at least this many shared spliced+unspliced counts (negative: no filter)")
	f.IntVar(&o.pipeline.NTopGenes, "n-top-genes", 2000, "number of highly variable genes (negative: no selection)")
	f.IntVar(&o.pipeline.NPCs, "n-pcs", 30, "principal components")
	f.IntVar(&o.pipeline.NNeighbors, "n-neighbors", 30, "neighbours per cell, the cell included")
	f.IntVar(&o.pipeline.GammaBootstrap, "gamma-bootstrap", 0, "bootstrap resamples for an interval of γ (0: off)")
	f.BoolVar(&o.pipeline.SkipGraph, "no-graph", false, "stop after the velocity fit")
	f.Uint64Var(&o.pipeline.Seed, "seed", 0, "random seed (PCA start, UMAP, bootstrap)")
	f.StringVar(&o.alevinCounts, "alevin-counts", "S+A", "alevin-fry spliced counts: S+A or S")
	return cmd
}

func runRun(cmd *cobra.Command, g *globals, o *runOptions, input string) error {
	if o.pipeline.Mode != "stochastic" && o.pipeline.Mode != "deterministic" {
		return fmt.Errorf("--mode %q: choose stochastic or deterministic", o.pipeline.Mode)
	}
	if err := checkOutput(o.out, ".h5ad", input); err != nil {
		return err
	}
	r := g.reporter()
	p := o.pipeline
	p.Threads = g.threadCount()
	p.Logf = r.Logf
	p.Progress = r.Callback
	timings, _, _, err := runFile(cmd.Context(), g, input, o.out, o.alevinCounts, p)
	if err != nil {
		return err
	}
	if r.Verbose() {
		total := 0.0
		for _, t := range timings {
			if t.Background {
				r.Logf("%-22s %8.3f s (in the background)", t.Stage, t.Seconds)
				continue
			}
			r.Logf("%-22s %8.3f s", t.Stage, t.Seconds)
			total += t.Seconds
		}
		r.Logf("%-22s %8.3f s", "total", total)
	}
	return nil
}
