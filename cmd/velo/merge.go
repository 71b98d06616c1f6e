package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/velo-rna/velo/anndata"
	"github.com/velo-rna/velo/merge"
)

type mergeOptions struct {
	out, annotation, alevinCounts string
	names                         []string
	merge                         merge.Options
}

func newMergeCmd(g *globals) *cobra.Command {
	o := &mergeOptions{}
	cmd := &cobra.Command{
		Use:   "merge SAMPLE... [--annotation processed.h5ad] -o OUT.h5ad",
		Short: "Concatenate samples' counts and attach a processed data set's annotations",
		Long: `merge reads each SAMPLE (any input velo run accepts), concatenates their
counts on the genes they share and, with --annotation, gives the cells of a
processed h5ad (clusters, embeddings, colours) their counts, matching cells by
barcode whatever naming convention each side uses.

A sample is named after its file or directory (without .h5ad, .loom, .gz), or
as NAME=PATH, or by --sample-names. Sample names found in the annotation's
cell names (such as "s1_BARCODE" or "s1:BARCODEx") tell samples apart; when
they do not, --sample-key names an annotation obs column that holds each cell's
sample. The report of matched and unmatched cells per sample goes to stderr.
Cells without an annotation are left out unless --keep-unmatched.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runMerge(cmd, g, o, args)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&o.out, "output", "o", "", "output .h5ad file (required)")
	f.StringVar(&o.annotation, "annotation", "", "processed .h5ad whose cells, obs columns and embeddings the result takes")
	f.StringSliceVar(&o.names, "sample-names", nil, "comma-separated sample names, one per SAMPLE in order")
	f.StringVar(&o.merge.SampleKey, "sample-key", "", "annotation obs column holding each cell's sample name")
	f.BoolVar(&o.merge.KeepUnmatched, "keep-unmatched", false, "keep sample cells that match no annotation cell")
	f.StringVar(&o.alevinCounts, "alevin-counts", "S+A", "alevin-fry spliced counts: S+A or S")
	return cmd
}

// sampleArg is one SAMPLE argument split into its name and path.
type sampleArg struct{ name, path string }

// parseSamples resolves the sample names: NAME=PATH, the base name of the
// path, or --sample-names. An argument naming an existing file is a path even
// when it contains "=".
func parseSamples(args, names []string) ([]sampleArg, error) {
	if len(names) > 0 && len(names) != len(args) {
		return nil, fmt.Errorf("--sample-names gives %d names for %d samples", len(names), len(args))
	}
	out := make([]sampleArg, len(args))
	for k, a := range args {
		s := sampleArg{path: a}
		if _, err := os.Stat(a); err != nil {
			if n, p, ok := strings.Cut(a, "="); ok && n != "" && !strings.ContainsRune(n, filepath.Separator) {
				s = sampleArg{name: n, path: p}
			}
		}
		switch {
		case len(names) > 0 && s.name != "":
			return nil, fmt.Errorf("%s: sample named both by NAME=PATH and by --sample-names; use one", a)
		case len(names) > 0:
			s.name = names[k]
		case s.name == "":
			s.name = sampleName(s.path)
		}
		out[k] = s
	}
	return out, nil
}

// sampleName is a path's base name without the extensions of count files.
func sampleName(path string) string {
	n := filepath.Base(filepath.Clean(path))
	n = strings.TrimSuffix(n, ".gz")
	for _, ext := range []string{".h5ad", ".loom"} {
		n = strings.TrimSuffix(n, ext)
	}
	return n
}

func runMerge(cmd *cobra.Command, g *globals, o *mergeOptions, args []string) error {
	samples, err := parseSamples(args, o.names)
	if err != nil {
		return err
	}
	inputs := make([]string, 0, len(samples)+1)
	for _, s := range samples {
		inputs = append(inputs, s.path)
	}
	if o.annotation != "" {
		inputs = append(inputs, o.annotation)
	}
	if err := checkOutput(o.out, ".h5ad", inputs...); err != nil {
		return err
	}
	r := g.reporter()
	data := make([]merge.Sample, len(samples))
	for k, s := range samples {
		a, err := readInput(g, s.path, o.alevinCounts)
		if err != nil {
			return err
		}
		r.Logf("Read sample %s from %s: %s.", s.name, s.path, contents(a))
		data[k] = merge.Sample{Name: s.name, Data: a}
	}
	var annotation *anndata.AnnData
	if o.annotation != "" {
		if annotation, err = readInput(g, o.annotation, o.alevinCounts); err != nil {
			return err
		}
		r.Logf("Read annotation %s: %d cells.", o.annotation, annotation.NObs())
	}
	opts := o.merge
	opts.Logf = r.Logf
	a, rep, err := merge.Merge(data, annotation, opts)
	if err != nil {
		return err
	}
	if !g.quiet {
		fmt.Fprint(cmd.ErrOrStderr(), rep.String())
	}
	if err := writeH5AD(o.out, a); err != nil {
		return err
	}
	r.Logf("Wrote %s: %d cells × %d genes.", o.out, a.NObs(), a.NVars())
	return nil
}
