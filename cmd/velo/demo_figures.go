package main

import "github.com/velo-rna/velo/anndata"

// demoFigures draws the demo's figures into dir.
func demoFigures(dir string, a *anndata.AnnData, logf func(string, ...any)) error {
	return nil
}
