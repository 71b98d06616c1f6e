package main

import (
	"fmt"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/velo-rna/velo/format/h5ad"
	"github.com/velo-rna/velo/graph"
	"github.com/velo-rna/velo/report"
)

// reportOptions are the flags of velo report.
type reportOptions struct {
	out        string
	edges      string
	genes      []string
	color      string
	basis      string
	clusterKey string
}

func newReportCmd(g *globals) *cobra.Command {
	o := &reportOptions{}
	cmd := &cobra.Command{
		Use:   "report RESULT.h5ad -o REPORT.html",
		Short: "Write a self-contained HTML report of a velocity result",
		Long: `report writes one HTML file, with its images embedded, that opens offline:
a summary of the data and its velocity parameters, per-cell count statistics,
the velocity stream plot, phase portraits and a table of fitted γ (with its
interval) for --genes (default: the six velocity genes with the highest r²),
velocity confidence and pseudotime on the embedding, and CBDir and ICCoh when
--edges names the expected transitions. Each section says in plain words what
it shows.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runReport(g, o, args[0])
		},
	}
	f := cmd.Flags()
	f.StringVarP(&o.out, "output", "o", "", "output .html file (required)")
	f.StringVar(&o.edges, "edges", "", `expected transitions scored with CBDir, e.g. "Ductal>Ngn3 low EP,Ngn3 low EP>Ngn3 high EP"`)
	f.StringSliceVar(&o.genes, "genes", nil, "genes for the phase portraits and table, comma-separated")
	f.StringVar(&o.color, "color", "", `obs column to colour cells by (default "clusters" when present)`)
	f.StringVar(&o.basis, "basis", "umap", "embedding: obsm X_<basis> and velocity_<basis>")
	f.StringVar(&o.clusterKey, "cluster-key", "clusters", "obs column holding the clusters for CBDir and ICCoh")
	return cmd
}

func runReport(g *globals, o *reportOptions, input string) error {
	if err := checkOutput(o.out, ".html", input); err != nil {
		return err
	}
	opts := report.Options{
		Title:      "velo report: " + filepath.Base(input),
		Source:     input,
		Basis:      o.basis,
		ColorKey:   o.color,
		ClusterKey: o.clusterKey,
		Genes:      o.genes,
	}
	if o.edges != "" {
		var err error
		if opts.Edges, err = graph.ParseEdges(o.edges); err != nil {
			return fmt.Errorf("--edges: %w", err)
		}
	}
	a, err := h5ad.Read(input)
	if err != nil {
		return err
	}
	if err := report.Write(o.out, a, opts); err != nil {
		return fmt.Errorf("%s: %w", input, err)
	}
	g.reporter().Logf("wrote %s", o.out)
	return nil
}
