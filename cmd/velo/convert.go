package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/velo-rna/velo"
	"github.com/velo-rna/velo/anndata"
	"github.com/velo-rna/velo/format"
)

func newConvertCmd(g *globals) *cobra.Command {
	var out, alevinCounts string
	cmd := &cobra.Command{
		Use:   "convert INPUT -o OUT.h5ad",
		Short: "Convert any supported input to an h5ad file, checking it on the way",
		Long: `convert reads INPUT (h5ad, loom, or a STARsolo, kallisto|bustools or
alevin-fry output directory) and writes its spliced and unspliced counts, with
whatever cell and gene annotations it holds, to OUT.h5ad. The data is checked
as velo run checks it before any work: consistent shapes, unique cell and gene
names, spliced and unspliced layers without negative or non-finite counts.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runConvert(g, args[0], out, alevinCounts)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&out, "output", "o", "", "output .h5ad file (required)")
	f.StringVar(&alevinCounts, "alevin-counts", "S+A", "alevin-fry spliced counts: S+A or S")
	return cmd
}

func runConvert(g *globals, input, out, alevinCounts string) error {
	if err := checkOutput(out, ".h5ad", input); err != nil {
		return err
	}
	kind, err := format.Kind(input)
	if err != nil {
		return err
	}
	a, err := readInput(g, input, alevinCounts)
	if err != nil {
		return err
	}
	if err := checkConvertible(a); err != nil {
		return fmt.Errorf("%s: %w", input, err)
	}
	r := g.reporter()
	r.Logf("Read %s (%s): %s.", input, kind, contents(a))
	if err := writeH5AD(out, a); err != nil {
		return err
	}
	r.Logf("Wrote %s.", out)
	return nil
}

// checkConvertible refuses data velo run would refuse, so that a converted
// file is known to be usable rather than failing later, far from its source.
func checkConvertible(a *anndata.AnnData) error {
	if err := a.Validate(); err != nil {
		return err
	}
	return velo.CheckCounts(a)
}

// contents names the shape and layers of a for log lines.
func contents(a *anndata.AnnData) string {
	layers := anndata.SortedKeys(a.Layers)
	if len(layers) == 0 {
		layers = []string{"none"}
	}
	return fmt.Sprintf("%d cells × %d genes, layers %s", a.NObs(), a.NVars(), strings.Join(layers, ", "))
}
