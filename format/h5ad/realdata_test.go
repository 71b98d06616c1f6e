package h5ad

import (
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/velo-rna/velo/anndata"
	"github.com/velo-rna/velo/array"
	"github.com/velo-rna/velo/internal/testenv"
)

// The expected figures in this file were computed once by hand with
// Debian's /usr/bin/python3 and h5py 3.7 from the same files (shapes,
// numbers of stored values, and float64 sums of the stored values).

func csrSum(m *array.CSR) float64 {
	var s float64
	for _, v := range m.Data {
		s += float64(v)
	}
	return s
}

func denseSum(m *array.Dense) float64 {
	var s float64
	for _, v := range m.Data {
		s += float64(v)
	}
	return s
}

// near compares float64 sums of float32 values: h5py/numpy sums pairwise,
// velo sums in order, so the last few bits of a ~1e6-term sum may differ.
func near(got, want float64) bool {
	return math.Abs(got-want) <= 1e-9*math.Max(1, math.Abs(want))
}

type sparseWant struct {
	rows, cols, nnz int
	sum             float64
}

func checkCSR(t *testing.T, name string, m array.Matrix, want sparseWant) {
	t.Helper()
	c, ok := m.(*array.CSR)
	if !ok {
		t.Fatalf("%s is %T, want CSR", name, m)
	}
	if c.Rows != want.rows || c.Cols != want.cols || c.NNZ() != want.nnz || !near(csrSum(c), want.sum) {
		t.Errorf("%s: %d×%d, %d stored, sum %.10g; want %d×%d, %d, %.10g",
			name, c.Rows, c.Cols, c.NNZ(), csrSum(c), want.rows, want.cols, want.nnz, want.sum)
	}
	if err := c.Validate(); err != nil {
		t.Errorf("%s: %v", name, err)
	}
}

func TestReadPancreas(t *testing.T) {
	path := testenv.Path(t, "data", "pancreas", "pancreas.h5ad")
	a, skipped, err := ReadSkipping(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(skipped) != 0 {
		t.Errorf("skipped %v", skipped)
	}
	if a.NObs() != 3696 || a.NVars() != 2000 {
		t.Fatalf("shape %d×%d, want 3696×2000", a.NObs(), a.NVars())
	}
	checkCSR(t, "X", a.X, sparseWant{3696, 2000, 2464314, 8578934})
	checkCSR(t, "spliced", a.Layers["spliced"], sparseWant{3696, 2000, 2464314, 8578934})
	checkCSR(t, "unspliced", a.Layers["unspliced"], sparseWant{3696, 2000, 685379, 1770009})
	if a.Obs.Index[0] != "AAACCTGAGAGGGATA" || a.Var.Index[0] != "Prkacb" || a.Var.Index[1999] != "Wdr33" {
		t.Errorf("names start %q, %q and end %q", a.Obs.Index[0], a.Var.Index[0], a.Var.Index[1999])
	}
	var cols []string
	for _, c := range a.Obs.Columns() {
		cols = append(cols, c.Name)
	}
	if !reflect.DeepEqual(cols, []string{"clusters", "clusters_coarse", "S_score", "G2M_score"}) {
		t.Errorf("obs columns %v", cols)
	}
	d, _ := a.Obs.Get("clusters")
	clusters := d.(*anndata.Categorical)
	wantCats := []string{"Ductal", "Ngn3 low EP", "Ngn3 high EP", "Pre-endocrine", "Beta", "Alpha", "Delta", "Epsilon"}
	if !reflect.DeepEqual(clusters.Categories, wantCats) {
		t.Errorf("clusters categories %v", clusters.Categories)
	}
	counts := make([]int, len(wantCats))
	for _, c := range clusters.Codes {
		counts[c]++
	}
	if !reflect.DeepEqual(counts, []int{916, 262, 642, 592, 591, 481, 70, 142}) {
		t.Errorf("cells per cluster %v", counts)
	}
	s, _ := a.Obs.Float64("S_score")
	var sum float64
	for _, v := range s {
		sum += v
	}
	if !near(sum, -326.63988384604454) {
		t.Errorf("S_score sum %.17g", sum)
	}
}

func TestReadPreprocessed(t *testing.T) {
	a, err := Read(testenv.Path(t, "reference", "pancreas", "preprocessed.h5ad"))
	if err != nil {
		t.Fatal(err)
	}
	checkCSR(t, "X", a.X, sparseWant{3696, 1126, 2226137, 2652167.5962949097})
	checkCSR(t, "distances", a.Obsp["distances"], sparseWant{3696, 3696, 107184, 566612.5032103062})
	checkCSR(t, "connectivities", a.Obsp["connectivities"], sparseWant{3696, 3696, 151436, 31097.56190631431})
	for _, c := range []struct {
		name       string
		m          *array.Dense
		rows, cols int
		sum        float64
		first      []float32
	}{
		{"X_pca", a.Obsm["X_pca"], 3696, 30, -0.013548779894790641, []float32{-7.5586419105529785, 0.34093207120895386, -4.0397868156433105}},
		{"X_umap", a.Obsm["X_umap"], 3696, 2, 45296.81828643879, []float32{-0.8738110661506653, 7.22566032409668}},
		{"PCs", a.Varm["PCs"], 1126, 30, -77.89907373392683, []float32{-0.0047694179229438305, -0.007266203407198191, 0.007722900714725256}},
	} {
		if c.m == nil || c.m.Rows != c.rows || c.m.Cols != c.cols {
			t.Errorf("%s missing or of wrong shape", c.name)
			continue
		}
		// X_pca sums to nearly zero, so its sum is compared absolutely at
		// float32 resolution of its ~1e2 entries.
		if math.Abs(denseSum(c.m)-c.sum) > 1e-9*math.Max(100, math.Abs(c.sum)) {
			t.Errorf("%s sum %.17g, want %.17g", c.name, denseSum(c.m), c.sum)
		}
		if !reflect.DeepEqual(c.m.Row(0)[:len(c.first)], c.first) {
			t.Errorf("%s row 0 starts %v, want %v", c.name, c.m.Row(0)[:len(c.first)], c.first)
		}
	}
	nb := a.Uns["neighbors"].(map[string]any)
	params := nb["params"].(map[string]any)
	if params["n_neighbors"] != int64(30) || params["method"] != "umap" || nb["connectivities_key"] != "connectivities" {
		t.Errorf("uns neighbors = %v", nb)
	}
	pca := a.Uns["pca"].(map[string]any)
	if v := pca["variance"].([]float64); len(v) != 30 || float32(v[0]) != 58.655693 {
		t.Errorf("uns pca variance starts %v", v[:3])
	}
	if p := pca["params"].(map[string]any); p["zero_center"] != true || p["use_highly_variable"] != false {
		t.Errorf("uns pca params = %v", p)
	}
	if log1p, ok := a.Uns["log1p"].(map[string]any); !ok || len(log1p) != 0 {
		t.Errorf("uns log1p = %v, want an empty dict", a.Uns["log1p"])
	}
}

func TestReadStochastic(t *testing.T) {
	path := testenv.Path(t, "reference", "pancreas", "stochastic.h5ad")
	a, err := Read(path)
	if err != nil {
		t.Fatal(err)
	}
	if a.X != nil {
		t.Errorf("X = %T, want absent", a.X)
	}
	checkCSR(t, "velocity_graph", a.Uns["velocity_graph"].(*array.CSR), sparseWant{3696, 3696, 614572, 99529.10803975072})
	checkCSR(t, "velocity_graph_neg", a.Uns["velocity_graph_neg"].(*array.CSR), sparseWant{3696, 3696, 129184, -10944.334196663072})
	genes, err := a.Var.Bool("velocity_genes")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, g := range genes {
		if g {
			n++
		}
	}
	if n != 328 {
		t.Errorf("%d velocity genes, want 328", n)
	}
	vel, ok := a.Layers["velocity"].(*array.Dense)
	if !ok || vel.Rows != 3696 || vel.Cols != 1126 || !near(denseSum(vel), 239556.235582717) {
		t.Errorf("velocity layer wrong: %T", a.Layers["velocity"])
	}
	vp := a.Uns["velocity_params"].(map[string]any)
	if vp["mode"] != "stochastic" || vp["fit_offset"] != false || vp["n_recurse_neighbors"] != int64(2) ||
		!reflect.DeepEqual(vp["perc"], []int64{5, 95}) || !reflect.DeepEqual(vp["embeddings"], []string{"pca", "pca", "umap", "umap"}) {
		t.Errorf("uns velocity_params = %v", vp)
	}

	// Everything read survives a write and a second read unchanged.
	out := filepath.Join(t.TempDir(), "stochastic.h5ad")
	if err := Write(out, a); err != nil {
		t.Fatal(err)
	}
	b, err := Read(out)
	if err != nil {
		t.Fatal(err)
	}
	sameAnnData(t, b, a)
}

func TestReadScveloFixtures(t *testing.T) {
	tests := []struct {
		file       string
		obs0, var0 string
		cols       int
		layers     map[string]sparseWant
	}{
		{"pancreas_50obs.h5ad", "AGCGGTCGTGTATGGG", "Xkr4", 27998, map[string]sparseWant{
			"spliced":   {50, 27998, 126494, 335512},
			"unspliced": {50, 27998, 42367, 65046},
		}},
		{"dentategyrus_50obs.h5ad", "GTGTAGTGATTTCC", "Lypla1", 13913, map[string]sparseWant{
			"ambiguous": {50, 13913, 32222, 55371},
			"spliced":   {50, 13913, 73907, 153832},
			"unspliced": {50, 13913, 11915, 17948},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			a, err := Read(testenv.Path(t, "data", "scvelo-fixtures", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			if a.NObs() != 50 || a.NVars() != tt.cols || a.Obs.Index[0] != tt.obs0 || a.Var.Index[0] != tt.var0 {
				t.Errorf("%d×%d, names %q, %q", a.NObs(), a.NVars(), a.Obs.Index[0], a.Var.Index[0])
			}
			if a.Obs.IndexName != "index" {
				t.Errorf("obs index name %q, want the 0.7 name \"index\"", a.Obs.IndexName)
			}
			if len(a.Layers) != len(tt.layers) {
				t.Errorf("layers %v", anndata.SortedKeys(a.Layers))
			}
			for name, want := range tt.layers {
				checkCSR(t, name, a.Layers[name], want)
			}
			checkCSR(t, "X", a.X, tt.layers["spliced"])
		})
	}
}

// A real file cut in half gives a clear error, never a crash.
func TestReadTruncatedPancreas(t *testing.T) {
	content, err := os.ReadFile(testenv.Path(t, "data", "pancreas", "pancreas.h5ad"))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "pancreas.h5ad")
	if err := os.WriteFile(path, content[:len(content)/2], 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = Read(path)
	if err == nil || !strings.HasPrefix(err.Error(), path+": file is truncated: 5099459 bytes of 10198918") {
		t.Errorf("error = %v", err)
	}
}
