package umap

import (
	"context"
	"math"
	"testing"

	"github.com/velo-rna/velo/array"
	"gonum.org/v1/gonum/mat"
)

// Coarsening must keep the total weight and every group's weighted degree
// (the sum of its members'), stay symmetric, and roughly halve the graph.
func TestCoarsenKeepsDegrees(t *testing.T) {
	g, err := newGraph(graphOf(trajectory(3000, 2), 15), 500)
	if err != nil {
		t.Fatal(err)
	}
	cg, agg := g.coarsen()
	t.Logf("%d vertices, %d entries → %d, %d", g.n, len(g.indices), cg.n, len(cg.indices))
	if cg.n > g.n*6/10 || cg.n < g.n/2 {
		t.Errorf("%d vertices coarsened to %d, want about half", g.n, cg.n)
	}
	size := make([]int, cg.n)
	want := make([]float64, cg.n)
	for i, c := range agg {
		size[c]++
		for e := g.indptr[i]; e < g.indptr[i+1]; e++ {
			want[c] += float64(g.weights[e])
		}
	}
	for c := 0; c < cg.n; c++ {
		if size[c] < 1 || size[c] > 2 {
			t.Fatalf("group %d has %d members", c, size[c])
		}
		var got float64
		for e := cg.indptr[c]; e < cg.indptr[c+1]; e++ {
			got += float64(cg.weights[e])
		}
		// float32 storage of sums of float32 weights: 1e-6 relative.
		if math.Abs(got-want[c]) > 1e-6*want[c] {
			t.Fatalf("group %d has degree %g, its members %g", c, got, want[c])
		}
	}
	if err := checkSymmetric(&array.CSR{Rows: cg.n, Cols: cg.n, Indptr: cg.indptr, Indices: cg.indices, Data: cg.weights}); err != nil {
		t.Error(err)
	}
}

// The multilevel start must not change the result beyond the eigensolver's
// tolerance: the spectral layout of a graph above multilevelMin must span
// the same plane as eigenvectors found from random starts. With residuals of
// 1e-4 and an eigengap g the vectors are within about 1e-4/g of the exact
// ones; the cosines of the principal angles are asked to exceed 0.999.
func TestMultilevelMatchesDirect(t *testing.T) {
	g, err := newGraph(graphOf(trajectory(2*multilevelMin, 4), 15), 500)
	if err != nil {
		t.Fatal(err)
	}
	c, ok, err := spectralLayout(context.Background(), g, 0, 0, 2)
	if err != nil || !ok {
		t.Fatalf("spectralLayout: ok %v, err %v", ok, err)
	}
	op := &normalisedAdjacency{g: g, dinv: make([]float64, g.n), scaled: make([]float64, g.n)}
	u0 := make([]float64, g.n)
	var total float64
	for i := range u0 {
		var d float64
		for e := g.indptr[i]; e < g.indptr[i+1]; e++ {
			d += float64(g.weights[e])
		}
		op.dinv[i], u0[i] = 1/math.Sqrt(d), math.Sqrt(d)
		total += d
	}
	for i := range u0 {
		u0[i] /= math.Sqrt(total)
	}
	starts := make([][]float64, spectralBlock)
	r := newStream(9, 202, 0, 0)
	for b := range starts {
		starts[b] = make([]float64, g.n)
		for i := range starts[b] {
			starts[b][i] = r.normal()
		}
	}
	s := &eigSolver{op: op, deflate: u0, nev: 2, maxBasis: spectralBasis, tol: spectralTol,
		maxMatvecs: 20000, threads: 2, rng: newStream(9, 203, 0, 0)}
	_, direct, ok, err := s.solve(context.Background(), starts)
	if err != nil || !ok {
		t.Fatalf("direct solve: ok %v, err %v", ok, err)
	}
	m := mat.NewDense(2, 2, nil)
	for a := 0; a < 2; a++ {
		for b := 0; b < 2; b++ {
			var d float64
			for i := 0; i < g.n; i++ {
				d += c[2*i+a] * direct[b][i]
			}
			m.Set(a, b, d)
		}
	}
	var svd mat.SVD
	if !svd.Factorize(m, mat.SVDNone) {
		t.Fatal("SVD failed")
	}
	cos := svd.Values(nil)
	t.Logf("cosines of the principal angles %v (direct solve: %d products)", cos, s.matvecs)
	if cos[1] < 0.999 {
		t.Errorf("multilevel and direct eigenvectors span different planes: cosines %v", cos)
	}
}
