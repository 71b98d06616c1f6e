package graph

import (
	"context"
	"math"
	"slices"
	"testing"

	"github.com/velo-rna/velo/anndata"
	"github.com/velo-rna/velo/array"
)

// Consecutive points of a coarse grid, sorted by hilbertIndex, are grid
// neighbours: the defining property of the curve, which is what keeps
// cells that are processed together close in the embedding.
func TestHilbertIndexAdjacent(t *testing.T) {
	for _, side := range []int{2, 4, 16, 64} {
		step := uint32(1<<16) / uint32(side)
		type pt struct {
			x, y uint32
			d    uint64
		}
		var pts []pt
		for x := 0; x < side; x++ {
			for y := 0; y < side; y++ {
				px, py := uint32(x)*step, uint32(y)*step
				pts = append(pts, pt{px, py, hilbertIndex(px, py)})
			}
		}
		slices.SortFunc(pts, func(a, b pt) int {
			switch {
			case a.d < b.d:
				return -1
			case a.d > b.d:
				return 1
			}
			return 0
		})
		for k := 1; k < len(pts); k++ {
			if pts[k].d == pts[k-1].d {
				t.Fatalf("side %d: two points share index %d", side, pts[k].d)
			}
			dx := int64(pts[k].x) - int64(pts[k-1].x)
			dy := int64(pts[k].y) - int64(pts[k-1].y)
			if math.Abs(float64(dx))+math.Abs(float64(dy)) != float64(step) {
				t.Fatalf("side %d: points %d and %d are not grid neighbours", side, k-1, k)
			}
		}
	}
}

// curveOrder is a permutation of the cells for embeddings with NaN, infinite
// and constant coordinates and without an embedding.
func TestCurveOrderPermutation(t *testing.T) {
	const n = 300
	a := synthGrid(10, 10, 3, 8, "stochastic", 5)
	dist, err := distances(a)
	if err != nil {
		t.Fatal(err)
	}
	table, err := neighborTable(dist, 0)
	if err != nil {
		t.Fatal(err)
	}
	withNaN := array.NewDense(n, 2)
	constant := array.NewDense(n, 3)
	for i := 0; i < n; i++ {
		withNaN.Set(i, 0, float32(i%17))
		withNaN.Set(i, 1, float32(i%5))
		constant.Set(i, 0, 1)
		constant.Set(i, 1, 1)
	}
	withNaN.Set(3, 0, float32(math.NaN()))
	withNaN.Set(4, 1, float32(math.Inf(1)))
	for _, tc := range []struct {
		name string
		obsm map[string]*array.Dense
	}{
		{"umap with NaN and Inf", map[string]*array.Dense{"X_umap": withNaN}},
		{"constant pca", map[string]*array.Dense{"X_pca": constant}},
		{"one column", map[string]*array.Dense{"X_umap": array.NewDense(n, 1)}},
		{"none", map[string]*array.Dense{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a.Obsm = tc.obsm
			order := curveOrder(a, table)
			seen := make([]bool, n)
			for _, c := range order {
				if seen[c] {
					t.Fatalf("cell %d appears twice", c)
				}
				seen[c] = true
			}
			if len(order) != n {
				t.Fatalf("%d cells ordered, want %d", len(order), n)
			}
		})
	}
}

// The order in which cells are processed changes no bit of the graph or
// the confidences: the same data with the embedding that sets the order
// removed (breadth-first order) or scrambled gives identical outputs.
func TestGraphIndependentOfOrder(t *testing.T) {
	run := func(obsm func(a *anndata.AnnData)) *anndata.AnnData {
		a := synthGrid(30, 8, 3, 40, "stochastic", 21)
		obsm(a)
		ctx := context.Background()
		if err := VelocityGraph(ctx, a, GraphOptions{Threads: 2}); err != nil {
			t.Fatal(err)
		}
		if err := VelocityConfidence(ctx, a, ConfidenceOptions{Threads: 2}); err != nil {
			t.Fatal(err)
		}
		return a
	}
	ref := run(func(*anndata.AnnData) {})
	for _, tc := range []struct {
		name string
		obsm func(a *anndata.AnnData)
	}{
		{"no embedding", func(a *anndata.AnnData) { a.Obsm = map[string]*array.Dense{} }},
		{"scrambled", func(a *anndata.AnnData) {
			e := array.NewDense(a.NObs(), 2)
			for i := 0; i < e.Rows; i++ {
				e.Set(i, 0, float32((i*7919)%101))
				e.Set(i, 1, float32((i*104729)%89))
			}
			a.Obsm = map[string]*array.Dense{"X_umap": e}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := run(tc.obsm)
			for _, key := range []string{"velocity_graph", "velocity_graph_neg"} {
				x, y := ref.Uns[key].(*array.CSR), b.Uns[key].(*array.CSR)
				if !slices.Equal(x.Indptr, y.Indptr) || !slices.Equal(x.Indices, y.Indices) || !slices.Equal(x.Data, y.Data) {
					t.Errorf("uns %s differs", key)
				}
			}
			for _, key := range []string{"velocity_self_transition", "velocity_confidence", "velocity_confidence_transition"} {
				x, _ := ref.Obs.Float64(key)
				y, _ := b.Obs.Float64(key)
				if len(x) == 0 || !slices.EqualFunc(x, y, func(p, q float64) bool { return p == q || (p != p && q != q) }) {
					t.Errorf("obs %s differs", key)
				}
			}
		})
	}
}
