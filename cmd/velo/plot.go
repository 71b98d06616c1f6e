package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/velo-rna/velo/anndata"
	"github.com/velo-rna/velo/format/h5ad"
	"github.com/velo-rna/velo/plot"
	"github.com/velo-rna/velo/report"
)

// plotOptions are the flags of the plot subcommands.
type plotOptions struct {
	out   string
	basis string
	color string
	genes []string
}

// plotKind draws one kind of figure from a result.
type plotKind func(a *anndata.AnnData, o *plotOptions) (*plot.Image, error)

func newPlotCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "plot",
		Short: "Draw a velocity result: stream, grid, scatter or phase portraits",
		Long: `plot draws figures from a result written by velo run (or scVelo) as PNG or
SVG, chosen by the extension of -o. Cells are coloured by --color, an obs
column (default: clusters, when the file has it).`,
	}
	cmd.AddCommand(
		newPlotKindCmd(g, "stream", "Velocity streamlines over the embedding (scVelo's velocity_embedding_stream)",
			func(a *anndata.AnnData, o *plotOptions) (*plot.Image, error) {
				return report.StreamFigure(a, o.basis, colorKey(a, o.color))
			}),
		newPlotKindCmd(g, "grid", "Velocity arrows on a grid over the embedding (scVelo's velocity_embedding_grid)",
			func(a *anndata.AnnData, o *plotOptions) (*plot.Image, error) {
				return report.GridFigure(a, o.basis, colorKey(a, o.color))
			}),
		newPlotKindCmd(g, "scatter", "Cells on the embedding coloured by an obs column (clusters, velocity_confidence, velocity_pseudotime, …)",
			func(a *anndata.AnnData, o *plotOptions) (*plot.Image, error) {
				return report.ScatterFigure(a, o.basis, colorKey(a, o.color))
			}),
		newPlotKindCmd(g, "phase", "Phase portraits (unspliced against spliced) of --genes with their steady-state fits",
			func(a *anndata.AnnData, o *plotOptions) (*plot.Image, error) {
				if len(o.genes) == 0 {
					return nil, fmt.Errorf("name the genes to draw with --genes A,B,…")
				}
				return report.PhaseFigure(a, o.genes, colorKey(a, o.color))
			}),
	)
	return cmd
}

func newPlotKindCmd(g *globals, name, short string, draw plotKind) *cobra.Command {
	o := &plotOptions{}
	cmd := &cobra.Command{
		Use:   name + " RESULT.h5ad -o FIGURE.png|.svg",
		Short: short,
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runPlot(g, o, args[0], draw)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&o.out, "output", "o", "", "output figure, .png or .svg (required)")
	f.StringVar(&o.color, "color", "", `obs column to colour cells by (default "clusters" when present)`)
	if name == "phase" {
		f.StringSliceVar(&o.genes, "genes", nil, "genes to draw, comma-separated")
	} else {
		f.StringVar(&o.basis, "basis", "umap", "embedding: obsm X_<basis> (and velocity_<basis>)")
	}
	return cmd
}

// colorKey resolves --color: the flag when given, else the default column.
func colorKey(a *anndata.AnnData, flag string) string {
	if flag != "" {
		return flag
	}
	return report.DefaultColorKey(a)
}

func runPlot(g *globals, o *plotOptions, input string, draw plotKind) error {
	if err := checkOutput(o.out, "", input); err != nil {
		return err
	}
	if _, err := plot.FormatOf(o.out); err != nil {
		return err
	}
	a, err := h5ad.Read(input)
	if err != nil {
		return err
	}
	im, err := draw(a, o)
	if err != nil {
		return fmt.Errorf("%s: %w", input, err)
	}
	if err := im.Save(o.out); err != nil {
		return err
	}
	g.reporter().Logf("wrote %s", o.out)
	return nil
}
