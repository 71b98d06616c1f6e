package main

import (
	"path/filepath"

	"github.com/velo-rna/velo/anndata"
	"github.com/velo-rna/velo/report"
)

// demoFigures draws the demo's stream plot, phase portraits of the best
// fitted genes and the HTML report into dir.
func demoFigures(dir string, a *anndata.AnnData, logf func(string, ...any)) error {
	stream, err := report.StreamFigure(a, "umap", "clusters")
	if err != nil {
		return err
	}
	if err := stream.Save(filepath.Join(dir, "stream.png")); err != nil {
		return err
	}
	genes, err := report.TopVelocityGenes(a, 4)
	if err != nil {
		return err
	}
	phase, err := report.PhaseFigure(a, genes, "clusters")
	if err != nil {
		return err
	}
	if err := phase.Save(filepath.Join(dir, "phase.png")); err != nil {
		return err
	}
	edges := [][2]string{{"Progenitor", "Intermediate"}, {"Intermediate", "Fate A"}, {"Intermediate", "Fate B"}}
	if err := report.Write(filepath.Join(dir, "report.html"), a, report.Options{Title: "velo demo: simulated branching trajectory", Source: "velo simulate", Edges: edges}); err != nil {
		return err
	}
	logf("Wrote %s, %s and %s", filepath.Join(dir, "stream.png"), filepath.Join(dir, "phase.png"), filepath.Join(dir, "report.html"))
	return nil
}
