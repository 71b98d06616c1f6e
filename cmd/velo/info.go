package main

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/velo-rna/velo/anndata"
	"github.com/velo-rna/velo/array"
)

func newInfoCmd(g *globals) *cobra.Command {
	var alevinCounts string
	cmd := &cobra.Command{
		Use:   "info FILE",
		Short: "Describe a data set: shape, layers with their counts, and every key",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			a, err := readInput(g, args[0], alevinCounts)
			if err != nil {
				return err
			}
			describe(cmd.OutOrStdout(), args[0], a)
			return nil
		},
	}
	cmd.Flags().StringVar(&alevinCounts, "alevin-counts", "S+A", "alevin-fry spliced counts: S+A or S")
	return cmd
}

// describe prints what a holds, one section per AnnData slot.
func describe(w io.Writer, name string, a *anndata.AnnData) {
	fmt.Fprintf(w, "%s: %d cells × %d genes\n", name, a.NObs(), a.NVars())
	if a.X != nil {
		fmt.Fprintf(w, "  X          %s\n", matrixSummary(a.X))
	}
	for _, k := range anndata.SortedKeys(a.Layers) {
		fmt.Fprintf(w, "  layer %-12s %s\n", k, matrixSummary(a.Layers[k]))
	}
	frame := func(slot string, f *anndata.Frame) {
		var cols []string
		for _, c := range f.Columns() {
			cols = append(cols, c.Name+" ("+columnKind(c.Data)+")")
		}
		if len(cols) > 0 {
			fmt.Fprintf(w, "  %s: %s\n", slot, strings.Join(cols, ", "))
		}
	}
	frame("obs", a.Obs)
	frame("var", a.Var)
	for _, k := range anndata.SortedKeys(a.Obsm) {
		fmt.Fprintf(w, "  obsm %-14s %d×%d\n", k, a.Obsm[k].Rows, a.Obsm[k].Cols)
	}
	for _, k := range anndata.SortedKeys(a.Varm) {
		fmt.Fprintf(w, "  varm %-14s %d×%d\n", k, a.Varm[k].Rows, a.Varm[k].Cols)
	}
	for _, k := range anndata.SortedKeys(a.Obsp) {
		fmt.Fprintf(w, "  obsp %-14s %s\n", k, matrixSummary(a.Obsp[k]))
	}
	if len(a.Uns) > 0 {
		fmt.Fprintf(w, "  uns: %s\n", strings.Join(unsKeys("", a.Uns), ", "))
	}
}

// matrixSummary gives storage, non-zeros and the total of a matrix.
func matrixSummary(m array.Matrix) string {
	r, c := m.Shape()
	switch t := m.(type) {
	case *array.CSR:
		var sum float64
		for _, v := range t.Data {
			sum += float64(v)
		}
		return fmt.Sprintf("%d×%d sparse, %d non-zero (%.1f%%), total %.6g", r, c, t.NNZ(), 100*float64(t.NNZ())/max(1, float64(r)*float64(c)), sum)
	case *array.Dense:
		var sum float64
		nz := 0
		for _, v := range t.Data {
			sum += float64(v)
			if v != 0 {
				nz++
			}
		}
		return fmt.Sprintf("%d×%d dense, %d non-zero, total %.6g", r, c, nz, sum)
	}
	return fmt.Sprintf("%d×%d", r, c)
}

func columnKind(d any) string {
	switch t := d.(type) {
	case *anndata.Categorical:
		return fmt.Sprintf("categorical, %d categories", len(t.Categories))
	case []string:
		return "string"
	case []bool:
		n := 0
		for _, v := range t {
			if v {
				n++
			}
		}
		return fmt.Sprintf("bool, %d true", n)
	default:
		return strings.TrimPrefix(fmt.Sprintf("%T", d), "[]")
	}
}

// unsKeys lists the nested keys of uns as slash-separated paths.
func unsKeys(prefix string, m map[string]any) []string {
	var out []string
	keys := anndata.SortedKeys(m)
	sort.Strings(keys)
	for _, k := range keys {
		if sub, ok := m[k].(map[string]any); ok && len(sub) > 0 {
			out = append(out, unsKeys(prefix+k+"/", sub)...)
			continue
		}
		out = append(out, prefix+k)
	}
	return out
}
