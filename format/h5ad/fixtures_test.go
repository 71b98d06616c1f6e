package h5ad

import (
	"path/filepath"
	"testing"

	"github.com/velo-rna/velo/anndata"
	"github.com/velo-rna/velo/array"
)

// The values testdata/make_fixtures.py writes into every fixture.
var (
	fixtureX = [][]float32{
		{1, 0, 2, 0},
		{0, 0, 3, 1},
		{4, 0, 0, 0},
		{0, 5, 0, 6},
		{0, 0, 0, 0},
		{7, 8, 9, 10},
	}
	fixtureUnspliced = [][]float32{
		{0, 0, 1, 0},
		{0, 0, 1, 0},
		{2, 0, 0, 0},
		{0, 2, 0, 3},
		{0, 0, 0, 0},
		{3, 4, 4, 5},
	}
	fixtureGraph = &array.CSR{
		Rows: 6, Cols: 6,
		Indptr:  []int64{0, 2, 3, 3, 4, 5, 6},
		Indices: []int32{1, 3, 0, 5, 0, 2},
		Data:    []float32{0.5, 0.25, 0.5, 1.0, 0.25, 0.75},
	}
	fixtureObs = []string{"cell0", "cell1", "cell2", "cell3", "cell4", "cellé5"}
	fixtureVar = []string{"Gene0", "Gene1", "Gene2", "Gène3"}
)

// fixtureAnnData is what build() in make_fixtures.py creates.
func fixtureAnnData() *anndata.AnnData {
	a := anndata.New(fixtureObs, fixtureVar)
	a.X = csrOf(fixtureX)
	a.Layers["spliced"] = csrOf(fixtureX)
	a.Layers["unspliced"] = denseOf(fixtureUnspliced)
	a.Obs.Set("clusters", &anndata.Categorical{Codes: []int32{0, 1, -1, 0, 2, 1}, Categories: []string{"a", "b", "c"}})
	a.Obs.Set("n_counts", []float64{3, 4, 4, 11, 0, 34})
	a.Obs.Set("flag", []bool{true, false, true, false, false, true})
	a.Obs.Set("batch", []int64{0, 1, 0, 1, 0, 1})
	a.Obs.Set("note", []string{"x", "y", "", "z", "w", "v"})
	a.Var.Set("gamma", []float32{0.5, 1.5, -2.0, 3.25})
	a.Var.Set("velocity_genes", []bool{true, false, true, true})
	a.Obsm["X_pca"] = denseOf([][]float32{{0, 1}, {2, 3}, {4, 5}, {6, 7}, {8, 9}, {10, 11}})
	a.Varm["PCs"] = denseOf([][]float32{{0, 0.25}, {0.5, 0.75}, {1, 1.25}, {1.5, 1.75}})
	a.Obsp["connectivities"] = fixtureGraph
	a.Uns["neighbors"] = map[string]any{
		"connectivities_key": "connectivities",
		"params":             map[string]any{"n_neighbors": int64(30), "method": "umap"},
	}
	a.Uns["perc"] = []int64{5, 95}
	a.Uns["embeddings"] = []string{"pca", "umap"}
	a.Uns["flag"] = true
	a.Uns["alpha"] = 0.25
	a.Uns["graph"] = fixtureGraph
	a.Uns["dense"] = denseOf([][]float32{{1, 2, 3}, {4, 5, 6.5}})
	a.Uns["bools"] = []bool{true, false, true}
	return a
}

// legacyAnnData is what legacy07() in make_fixtures.py writes.
func legacyAnnData() *anndata.AnnData {
	a := anndata.New(fixtureObs, fixtureVar)
	a.Obs.IndexName, a.Var.IndexName = "index", "index"
	a.X = csrOf(fixtureX)
	a.Layers["unspliced"] = denseOf(fixtureUnspliced)
	a.Obs.Set("clusters", &anndata.Categorical{Codes: []int32{0, 1, -1, 0, 2, 1}, Categories: []string{"a", "b", "c"}})
	a.Obs.Set("louvain", &anndata.Categorical{Codes: []int32{1, 0, 1, 1, 0, 0}, Categories: []string{"L0", "L1"}})
	a.Obs.Set("n_counts", []float64{3, 4, 4, 11, 0, 34})
	a.Obs.Set("n_genes", []int32{2, 2, 1, 2, 0, 4})
	a.Uns["alpha"] = 0.25
	a.Uns["perc"] = []int64{5, 95}
	a.Uns["fixed"] = []string{"ab", "cde"}
	a.Uns["big_endian"] = []float64{1.5, -2}
	a.Uns["half"] = []float64{0.5, 1.5}
	a.Uns["params"] = map[string]any{"mode": "stochastic"}
	return a
}

func TestReadFixtures(t *testing.T) {
	tests := []struct {
		file string
		want func() *anndata.AnnData
	}{
		{"anndata_lzf.h5ad", fixtureAnnData},
		{"gzip_shuffle.h5ad", fixtureAnnData},
		{"latest.h5ad", fixtureAnnData},
		{"csc_int64.h5ad", fixtureAnnData},
		{"legacy07.h5ad", legacyAnnData},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			got, skipped, err := ReadSkipping(filepath.Join("testdata", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			if len(skipped) != 0 {
				t.Errorf("skipped %v", skipped)
			}
			sameAnnData(t, got, tt.want())
		})
	}
}
