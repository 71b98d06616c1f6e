package report

import (
	"fmt"
	"strings"

	"github.com/velo-rna/velo/anndata"
	"github.com/velo-rna/velo/array"
	"github.com/velo-rna/velo/grid"
	"github.com/velo-rna/velo/plot"
)

// DefaultColorKey is the obs column figures are coloured by when the caller
// names none: scVelo's and scanpy's cluster column, when the data has it.
func DefaultColorKey(a *anndata.AnnData) string {
	if a.Obs != nil && a.Obs.Has("clusters") {
		return "clusters"
	}
	return ""
}

// basisName strips an "X_" prefix, so "umap" and "X_umap" name the same
// embedding.
func basisName(basis string) string {
	if basis == "" {
		return "umap"
	}
	return strings.TrimPrefix(basis, "X_")
}

// embedding returns obsm X_<basis> and, when withVelocity is set, the
// velocities projected onto it, obsm velocity_<basis>.
func embedding(a *anndata.AnnData, basis string, withVelocity bool) (emb, vemb *array.Dense, err error) {
	b := basisName(basis)
	emb = a.Obsm["X_"+b]
	if emb == nil {
		return nil, nil, fmt.Errorf("obsm X_%s is missing: the data has no %s embedding", b, b)
	}
	if emb.Cols < 2 {
		return nil, nil, fmt.Errorf("obsm X_%s has %d column(s); a figure needs 2", b, emb.Cols)
	}
	if emb.Cols > 2 {
		emb = emb.SelectCols([]int{0, 1})
	}
	if !withVelocity {
		return emb, nil, nil
	}
	vemb = a.Obsm["velocity_"+b]
	if vemb == nil {
		return nil, nil, fmt.Errorf("run velo run first: obsm velocity_%s is missing", b)
	}
	if vemb.Rows != emb.Rows || vemb.Cols < 2 {
		return nil, nil, fmt.Errorf("obsm velocity_%s is %d × %d; want %d × 2", b, vemb.Rows, vemb.Cols, emb.Rows)
	}
	if vemb.Cols > 2 {
		vemb = vemb.SelectCols([]int{0, 1})
	}
	return emb, vemb, nil
}

// coloring colours cells by obs column key, or not at all when key is "".
func coloring(a *anndata.AnnData, key string) (plot.Coloring, error) {
	if key == "" {
		return plot.Coloring{}, nil
	}
	if a.Obs == nil || !a.Obs.Has(key) {
		return plot.Coloring{}, fmt.Errorf("obs has no column %q to colour by", key)
	}
	return plot.ObsColoring(a, key)
}

// StreamFigure draws scVelo's velocity_embedding_stream: streamlines of the
// projected velocities over the cells on embedding basis ("umap"),
// coloured by obs column colorKey ("" for none).
func StreamFigure(a *anndata.AnnData, basis, colorKey string) (*plot.Image, error) {
	emb, vemb, err := embedding(a, basis, true)
	if err != nil {
		return nil, err
	}
	col, err := coloring(a, colorKey)
	if err != nil {
		return nil, err
	}
	res, err := grid.VelocityOnGrid(emb, vemb, grid.Options{Stream: true})
	if err != nil {
		return nil, fmt.Errorf("stream plot: %w", err)
	}
	return plot.Stream(emb, col, grid.Streamlines(res, 0), plot.EmbeddingOptions{Basis: basisName(basis)})
}

// GridFigure draws scVelo's velocity_embedding_grid: arrows of the projected
// velocities averaged on a grid over the cells on embedding basis, coloured
// by obs column colorKey ("" for none).
func GridFigure(a *anndata.AnnData, basis, colorKey string) (*plot.Image, error) {
	emb, vemb, err := embedding(a, basis, true)
	if err != nil {
		return nil, err
	}
	col, err := coloring(a, colorKey)
	if err != nil {
		return nil, err
	}
	res, err := grid.VelocityOnGrid(emb, vemb, grid.Options{})
	if err != nil {
		return nil, fmt.Errorf("grid plot: %w", err)
	}
	return plot.Grid(emb, col, res, plot.EmbeddingOptions{Basis: basisName(basis)})
}

// ScatterFigure draws the cells on embedding basis coloured by obs column
// key, categorical (clusters) or numeric (velocity_confidence,
// velocity_pseudotime, …).
func ScatterFigure(a *anndata.AnnData, basis, key string) (*plot.Image, error) {
	emb, _, err := embedding(a, basis, false)
	if err != nil {
		return nil, err
	}
	if key == "" {
		return nil, fmt.Errorf("scatter plot: no obs column to colour by")
	}
	col, err := coloring(a, key)
	if err != nil {
		return nil, err
	}
	return plot.Scatter(emb, col, plot.EmbeddingOptions{Basis: basisName(basis)})
}

// PhaseFigure draws the phase portraits (Mu against Ms) of genes with their
// fitted steady-state lines, the cells the fit used and the γ interval when
// the file has one; cells are coloured by obs column colorKey ("" for grey).
func PhaseFigure(a *anndata.AnnData, genes []string, colorKey string) (*plot.Image, error) {
	if len(genes) == 0 {
		return nil, fmt.Errorf("phase plot: no genes given")
	}
	panels, err := PhasePanels(a, genes)
	if err != nil {
		return nil, err
	}
	col, err := coloring(a, colorKey)
	if err != nil {
		return nil, err
	}
	return plot.Phase(panels, plot.PhaseOptions{Color: col})
}
