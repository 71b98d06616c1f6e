package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/velo-rna/velo/anndata"
	"github.com/velo-rna/velo/format"
	"github.com/velo-rna/velo/format/h5ad"
)

// readInput opens any input format velo understands.
func readInput(g *globals, path string, alevinCounts string) (*anndata.AnnData, error) {
	if _, err := os.Stat(path); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("%s: no such file or directory", path)
		}
		return nil, err
	}
	r := g.reporter()
	return format.Open(path, format.OpenOptions{AlevinCounts: alevinCounts, Threads: g.threadCount(), Logf: r.Logf})
}

// checkOutput refuses an output path that is missing, is not an .h5ad file
// when one is required, or names one of the inputs: velo never writes over
// what it reads.
func checkOutput(out, ext string, inputs ...string) error {
	if out == "" {
		return errors.New("no output file: give one with -o")
	}
	if ext != "" && filepath.Ext(out) != ext {
		return fmt.Errorf("%s: the output must be a %s file", out, ext)
	}
	oi, err := os.Stat(out)
	if err != nil {
		return nil
	}
	for _, in := range inputs {
		if ii, err := os.Stat(in); err == nil && os.SameFile(oi, ii) {
			return fmt.Errorf("%s: the output would overwrite the input; choose another -o", out)
		}
	}
	return nil
}

// writeH5AD writes a result atomically.
func writeH5AD(path string, a *anndata.AnnData) error {
	return h5ad.Write(path, a)
}
