package h5ad

import (
	"math"

	"github.com/velo-rna/velo/anndata"
	"github.com/velo-rna/velo/array"
)

// csrOf builds a CSR matrix from dense rows.
func csrOf(rows [][]float32) *array.CSR { return denseOf(rows).ToCSR() }

// denseOf builds a dense matrix from rows.
func denseOf(rows [][]float32) *array.Dense {
	d := array.NewDense(len(rows), len(rows[0]))
	for i, r := range rows {
		copy(d.Row(i), r)
	}
	return d
}

// full returns a small AnnData using every encoding velo writes.
func full() *anndata.AnnData {
	a := anndata.New([]string{"c0", "c1", "c2", "c3", "cé4"}, []string{"Gene0", "Gene1", "Gène2"})
	a.X = denseOf([][]float32{{1, 0, 2}, {0, 0, 3}, {4, float32(math.Inf(1)), 0}, {0, 5, -6.5}, {0, 0, 0}})
	a.Layers["spliced"] = csrOf([][]float32{{1, 0, 2}, {0, 0, 3}, {4, 0, 0}, {0, 5, 6}, {0, 0, 0}})
	a.Layers["Ms"] = denseOf([][]float32{{0.5, 1, 1.5}, {2, 2.5, 3}, {3.5, 4, 4.5}, {5, 5.5, 6}, {6.5, 7, 7.5}})
	a.Layers["empty"] = array.NewCSR(5, 3)
	a.Obs.Set("clusters", &anndata.Categorical{Codes: []int32{0, 1, -1, 0, 2}, Categories: []string{"Ductal", "Alpha", "Ngn3 high EP"}})
	a.Obs.Set("stage", &anndata.Categorical{Codes: []int32{1, 1, 0, 0, 1}, Categories: []string{"early", "late"}, Ordered: true})
	a.Obs.Set("n_counts", []float64{3, 3, 4, 11, 0})
	a.Obs.Set("velocity_length", []float32{0.5, 1.25, 2, 0, 3})
	a.Obs.Set("batch", []int64{0, 1, 0, 1, 1 << 40})
	a.Obs.Set("n_genes", []int32{2, 1, 1, 2, 0})
	a.Obs.Set("root_cells", []bool{true, false, false, true, false})
	a.Obs.Set("note", []string{"x", "", "ünï", "z", "a b"})
	a.Var.Set("velocity_genes", []bool{true, false, true})
	a.Var.Set("velocity_gamma", []float32{0.25, -1, 3.5})
	a.Obsm["X_pca"] = denseOf([][]float32{{1, 2}, {3, 4}, {5, 6}, {7, 8}, {9, 10}})
	a.Obsm["X_umap"] = denseOf([][]float32{{-1, 1}, {-2, 2}, {-3, 3}, {-4, 4}, {-5, 5}})
	a.Varm["PCs"] = denseOf([][]float32{{0.1, 0.2}, {0.3, 0.4}, {0.5, 0.6}})
	graph := csrOf([][]float32{{0, 0.5, 0, 0, 0}, {0.5, 0, 0.25, 0, 0}, {0, 0.25, 0, 0, 1}, {0, 0, 0, 0, 0}, {0, 0, 1, 0, 0}})
	a.Obsp["connectivities"] = graph
	a.Obsp["distances"] = csrOf([][]float32{{0, 2, 0, 0, 0}, {2, 0, 0, 0, 0}, {0, 0, 0, 0, 1.5}, {0, 0, 0, 0, 0}, {0, 0, 1.5, 0, 0}})
	a.Uns["neighbors"] = map[string]any{
		"connectivities_key": "connectivities",
		"distances_key":      "distances",
		"params":             map[string]any{"n_neighbors": int64(30), "method": "umap", "metric": "euclidean"},
	}
	a.Uns["velocity_params"] = map[string]any{
		"mode":        "stochastic",
		"fit_offset":  false,
		"perc":        []int64{5, 95},
		"embeddings":  []string{"pca", "umap"},
		"min_r2":      0.01,
		"use_raw":     true,
		"empty_names": []string{},
		"nothing":     map[string]any{},
	}
	a.Uns["pca"] = map[string]any{"variance": []float64{58.6, 24.2, math.NaN()}}
	a.Uns["flags"] = []bool{true, false}
	a.Uns["velocity_graph"] = graph
	a.Uns["dense"] = denseOf([][]float32{{1, 2, 3}, {4, 5, 6.5}})
	return a
}
