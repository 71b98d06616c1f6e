package preprocess

import (
	"context"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/velo-rna/velo/anndata"
	"github.com/velo-rna/velo/array"
	"github.com/velo-rna/velo/knn"
)

// graphData has normalised (non-integer) layers and a stored graph with
// edges 0–1 and 1–2; cell 3 has no neighbour.
func graphData() *anndata.AnnData {
	s := dense([]float32{0.5, 1.5}, []float32{2.5, 0}, []float32{4.5, 3.5}, []float32{6.5, 0.5})
	u := dense([]float32{1.5, 0}, []float32{0.5, 0.5}, []float32{0, 2.5}, []float32{0.5, 0})
	a := newData(s, u)
	g := dense([]float32{0, 0.7, 0, 0}, []float32{0.7, 0, 0.2, 0}, []float32{0, 0.2, 0, 0}, []float32{0, 0, 0, 0}).ToCSR()
	a.Obsp["connectivities"] = g
	a.Obsp["distances"] = g.Clone()
	a.Uns["neighbors"] = map[string]any{
		"connectivities_key": "connectivities", "distances_key": "distances",
		"params": map[string]any{"n_neighbors": int64(30)},
	}
	return a
}

func TestMomentsAverages(t *testing.T) {
	a := graphData()
	if err := Moments(context.Background(), a, MomentsOptions{}); err != nil {
		t.Fatal(err)
	}
	s := [][]float64{{0.5, 1.5}, {2.5, 0}, {4.5, 3.5}, {6.5, 0.5}}
	u := [][]float64{{1.5, 0}, {0.5, 0.5}, {0, 2.5}, {0.5, 0}}
	groups := [][]int{{0, 1}, {0, 1, 2}, {1, 2}, {3}}
	for _, tc := range []struct {
		layer string
		x     [][]float64
	}{{"Ms", s}, {"Mu", u}} {
		m := array.AsDense(a.Layers[tc.layer])
		for i, grp := range groups {
			for g := 0; g < 2; g++ {
				var want float64
				for _, j := range grp {
					want += tc.x[j][g]
				}
				want /= float64(len(grp))
				if !near(float64(m.At(i, g)), want, 1e-6) {
					t.Errorf("%s[%d,%d] = %v, want %v", tc.layer, i, g, m.At(i, g), want)
				}
			}
		}
	}
}

func TestMomentsPrunesToStrongest(t *testing.T) {
	// A complete graph on 4 cells with distinct strengths; stored with
	// n_neighbors 30, moments with 2 keep each cell's 2 strongest links.
	a := graphData()
	c := dense(
		[]float32{0, 0.9, 0.5, 0.1},
		[]float32{0.9, 0, 0.3, 0.8},
		[]float32{0.5, 0.3, 0, 0.6},
		[]float32{0.1, 0.8, 0.6, 0},
	).ToCSR()
	a.Obsp["connectivities"] = c
	if err := Moments(context.Background(), a, MomentsOptions{NNeighbors: 2}); err != nil {
		t.Fatal(err)
	}
	keep := [][]int{{0, 1, 2}, {1, 0, 3}, {2, 3, 0}, {3, 1, 2}}
	s := array.AsDense(a.Layers["spliced"])
	ms := array.AsDense(a.Layers["Ms"])
	for i, grp := range keep {
		var want float64
		for _, j := range grp {
			want += float64(s.At(j, 0))
		}
		want /= 3
		if !near(float64(ms.At(i, 0)), want, 1e-6) {
			t.Errorf("Ms[%d,0] = %v, want %v (cells %v)", i, ms.At(i, 0), want, grp)
		}
	}
	if a.Obsp["connectivities"] != c {
		t.Error("the stored graph was replaced")
	}
}

func TestMomentsComputesWhatIsMissing(t *testing.T) {
	// Raw integer counts and no graph: moments normalises the layers and
	// computes a 30-neighbour graph (on X: fewer than 50 genes).
	s := randomCounts(7, 60, 20)
	u := randomCounts(8, 60, 20)
	a := newData(s, u)
	var log []string
	err := Moments(context.Background(), a, MomentsOptions{Logf: func(f string, args ...any) { log = append(log, sprintf(f, args...)) }})
	if err != nil {
		t.Fatal(err)
	}
	if notYetNormalized(a.Layers["spliced"]) {
		t.Error("spliced still looks like counts")
	}
	nb, ok := a.Uns["neighbors"].(map[string]any)
	if !ok || nb["params"].(map[string]any)["n_neighbors"] != int64(30) || nb["params"].(map[string]any)["use_rep"] != "X" {
		t.Errorf("uns neighbors = %v", a.Uns["neighbors"])
	}
	if !slices.ContainsFunc(log, func(s string) bool { return strings.HasPrefix(s, "Normalized count data") }) {
		t.Errorf("log %q", log)
	}
	// A stored 15-neighbour graph is recomputed with 30.
	a.Uns["neighbors"].(map[string]any)["params"].(map[string]any)["n_neighbors"] = int64(15)
	a.Obsp["connectivities"] = array.NewCSR(60, 60)
	if err := Moments(context.Background(), a, MomentsOptions{}); err != nil {
		t.Fatal(err)
	}
	if a.Obsp["connectivities"].NNZ() == 0 {
		t.Error("graph with too few neighbours was kept")
	}
}

func TestMomentsThreadsIdentical(t *testing.T) {
	run := func(threads int) *anndata.AnnData {
		a := newData(randomCounts(9, 900, 60), randomCounts(10, 900, 60))
		if err := Moments(context.Background(), a, MomentsOptions{Threads: threads}); err != nil {
			t.Fatal(err)
		}
		return a
	}
	one, four := run(1), run(4)
	for _, k := range []string{"Ms", "Mu"} {
		if !slices.Equal(array.AsDense(one.Layers[k]).Data, array.AsDense(four.Layers[k]).Data) {
			t.Errorf("%s differs between 1 and 4 threads", k)
		}
	}
}

func TestMomentsErrors(t *testing.T) {
	a := graphData()
	delete(a.Layers, "unspliced")
	if err := Moments(context.Background(), a, MomentsOptions{}); err == nil || !strings.Contains(err.Error(), `layer "unspliced" is missing`) {
		t.Errorf("error %v", err)
	}
	a = graphData()
	a.Layers["spliced"].(*array.CSR).Data[0] = -1
	if err := Moments(context.Background(), a, MomentsOptions{}); err == nil || !strings.Contains(err.Error(), "layer spliced has negative values") {
		t.Errorf("error %v", err)
	}
	a = graphData()
	delete(a.Obsp, "connectivities")
	if err := Moments(context.Background(), a, MomentsOptions{KeepGraph: true}); err == nil || !strings.Contains(err.Error(), `obsp "connectivities" is missing`) {
		t.Errorf("error %v", err)
	}
	if err := Moments(context.Background(), graphData(), MomentsOptions{Mode: "cosine"}); err == nil {
		t.Error("unknown mode: no error")
	}
}

func TestSecondOrderMoments(t *testing.T) {
	a := graphData()
	genes := []int{1, 0, 1}
	mss, mus, err := SecondOrderMoments(a, genes, 2)
	if err != nil {
		t.Fatal(err)
	}
	s := array.AsDense(a.Layers["spliced"])
	u := array.AsDense(a.Layers["unspliced"])
	groups := [][]int{{0, 1}, {0, 1, 2}, {1, 2}, {3}}
	for i, grp := range groups {
		for c, g := range genes {
			var ss, su float64
			for _, j := range grp {
				ss += float64(s.At(j, g)) * float64(s.At(j, g))
				su += float64(s.At(j, g)) * float64(u.At(j, g))
			}
			ss /= float64(len(grp))
			su /= float64(len(grp))
			if !near(float64(mss.At(i, c)), ss, 1e-6) || !near(float64(mus.At(i, c)), su, 1e-6) {
				t.Errorf("cell %d gene %d: Mss %v Mus %v, want %v %v", i, g, mss.At(i, c), mus.At(i, c), ss, su)
			}
		}
	}
	if _, _, err := SecondOrderMoments(a, []int{5}, 1); err == nil {
		t.Error("gene out of range: no error")
	}
}

func TestNeighborsStep(t *testing.T) {
	a := logData(11, 80, 12) // fewer than 50 genes: X is searched
	if err := Neighbors(context.Background(), a, NeighborsOptions{NNeighbors: 10}); err != nil {
		t.Fatal(err)
	}
	want, err := knn.Exact(context.Background(), array.AsDense(a.X), 10, 1)
	if err != nil {
		t.Fatal(err)
	}
	d := a.Obsp["distances"]
	for i := 0; i < 80; i++ {
		idx, _ := d.RowView(i)
		wi, _ := want.Row(i)
		w := slices.Clone(wi[1:])
		slices.Sort(w)
		if !slices.Equal(idx, w) {
			t.Fatalf("cell %d: neighbours %v, want %v", i, idx, w)
		}
	}
	nb := a.Uns["neighbors"].(map[string]any)
	p := nb["params"].(map[string]any)
	if nb["connectivities_key"] != "connectivities" || nb["distances_key"] != "distances" ||
		p["n_neighbors"] != int64(10) || p["method"] != "umap" || p["metric"] != "euclidean" || p["use_rep"] != "X" {
		t.Errorf("uns neighbors = %v", nb)
	}
	// More neighbours than cells: 1 + n/2.
	small := logData(12, 9, 5)
	if err := Neighbors(context.Background(), small, NeighborsOptions{}); err != nil {
		t.Fatal(err)
	}
	if idx, _ := small.Obsp["distances"].RowView(0); len(idx) != 4 {
		t.Errorf("9 cells, 30 neighbours requested: %d stored per row, want 1 + 9/2 − 1 = 4", len(idx))
	}
}

func TestNeighborsUsesLeadingPCs(t *testing.T) {
	a := logData(13, 120, 60)
	pcs := array.NewDense(120, 6)
	for i := range pcs.Data {
		pcs.Data[i] = float32(math.Sin(float64(i) * 0.37))
	}
	a.Obsm["X_pca"] = pcs
	if err := Neighbors(context.Background(), a, NeighborsOptions{NNeighbors: 5, NPCs: Int(3)}); err != nil {
		t.Fatal(err)
	}
	if a.Obsm["X_pca"] != pcs {
		t.Fatal("a wide enough X_pca was recomputed")
	}
	want, _ := knn.Exact(context.Background(), pcs.SelectCols([]int{0, 1, 2}), 5, 1)
	got := a.Obsp["distances"]
	for i := 0; i < 120; i++ {
		_, wd := want.Row(i)
		_, gd := got.RowView(i)
		gs, ws := slices.Clone(gd), slices.Clone(wd[1:])
		slices.Sort(gs)
		slices.Sort(ws)
		if !slices.Equal(gs, ws) {
			t.Fatalf("cell %d: distances %v, want %v", i, gs, ws)
		}
	}
	// More PCs than stored: the PCA is recomputed.
	if err := Neighbors(context.Background(), a, NeighborsOptions{NNeighbors: 5, NPCs: Int(8)}); err != nil {
		t.Fatal(err)
	}
	if a.Obsm["X_pca"].Cols != 8 {
		t.Errorf("X_pca has %d columns, want 8", a.Obsm["X_pca"].Cols)
	}
}

// SmoothProduct forms products on the fly; it must equal Smooth applied to
// the explicit product matrix (scipy's s.multiply(u), zeros dropped), bit
// for bit, for any thread count and column order.
func TestSmoothProductMatchesExplicitProduct(t *testing.T) {
	const n, g = 700, 50
	a := newData(randomCounts(51, n, g), randomCounts(52, n, g))
	if err := Moments(context.Background(), a, MomentsOptions{}); err != nil {
		t.Fatal(err)
	}
	w := ConnectivityWeights(a.Obsp["connectivities"])
	s, u := array.AsDense(a.Layers["spliced"]), array.AsDense(a.Layers["unspliced"])
	cols := []int{7, 2, 2, 49, 0}
	for _, tc := range []struct {
		name string
		y    *array.Dense
	}{{"s∘s", s}, {"s∘u", u}} {
		prod := array.NewDense(n, len(cols))
		for i := 0; i < n; i++ {
			for k, c := range cols {
				prod.Set(i, k, s.At(i, c)*tc.y.At(i, c))
			}
		}
		want := Smooth(w, prod.ToCSR(), 1)
		second := a.Layers["spliced"]
		if tc.name == "s∘u" {
			second = a.Layers["unspliced"]
		}
		for _, threads := range []int{1, 4} {
			got := SmoothProduct(w, a.Layers["spliced"], second, cols, threads)
			if !slices.Equal(got.Data, want.Data) {
				t.Errorf("%s with %d threads differs from the explicit product", tc.name, threads)
			}
		}
	}
	// Sparse and dense data smooth identically (vectorised and scalar
	// paths).
	if !slices.Equal(Smooth(w, a.Layers["spliced"], 3).Data, Smooth(w, s, 1).Data) {
		t.Error("Smooth differs between sparse and dense input")
	}
}
