package knn

import (
	"context"
	"math"
	"slices"
	"testing"

	"github.com/velo-rna/velo/array"
)

// line returns points on a line at the given positions.
func line(xs ...float32) *array.Dense {
	m := array.NewDense(len(xs), 1)
	copy(m.Data, xs)
	return m
}

func TestDistanceGraph(t *testing.T) {
	// Points 0 and 1 coincide: their zero distance is not stored, as
	// scipy's eliminate_zeros drops it.
	r, err := Exact(context.Background(), line(0, 0, 1, 3), 3, 1)
	if err != nil {
		t.Fatal(err)
	}
	g := DistanceGraph(r)
	if err := g.Validate(); err != nil {
		t.Fatal(err)
	}
	want := map[[2]int]float32{
		{0, 2}: 1,
		{1, 2}: 1,
		{2, 0}: 1, {2, 1}: 1,
		{3, 2}: 2, {3, 0}: 3, // 0 and 1 tie at 3: the lower index wins
	}
	if g.NNZ() != len(want) {
		t.Fatalf("%d stored distances, want %d: %+v", g.NNZ(), len(want), g)
	}
	for ij, v := range want {
		if got := g.At(ij[0], ij[1]); got != v {
			t.Errorf("distance %v = %v, want %v", ij, got, v)
		}
	}
}

func TestConnectivitiesTwoNeighbours(t *testing.T) {
	// With K = 2 the target log2 2 = 1 is met at once by the single
	// neighbour at distance ρ, so every membership is 1 and the union is 1.
	r, err := Exact(context.Background(), line(0, 1, 3, 7, 8), 2, 1)
	if err != nil {
		t.Fatal(err)
	}
	c := Connectivities(r, 1)
	want := map[[2]int]float32{
		{0, 1}: 1, {1, 0}: 1, {2, 1}: 1, {1, 2}: 1, {3, 4}: 1, {4, 3}: 1,
	}
	if c.NNZ() != len(want) {
		t.Fatalf("%d entries, want %d", c.NNZ(), len(want))
	}
	for ij, v := range want {
		if got := c.At(ij[0], ij[1]); got != v {
			t.Errorf("connectivity %v = %v, want %v", ij, got, v)
		}
	}
}

func TestConnectivitiesThreeNeighbours(t *testing.T) {
	// K = 3: the first neighbour contributes 1, the second exp(−g/σ) with
	// g = d2 − d1, so σ = g / ln(1/(log2 3 − 1)) up to the bisection's 1e-5
	// tolerance on the sum.
	pts := line(0, 1, 3.5, 10, 10.5, 12)
	r, err := Exact(context.Background(), pts, 3, 1)
	if err != nil {
		t.Fatal(err)
	}
	sigma, rho := smoothKNNDist(r, 1)
	for i := 0; i < r.N; i++ {
		_, d := r.Row(i)
		if rho[i] != d[1] {
			t.Errorf("point %d: ρ = %v, want nearest distance %v", i, rho[i], d[1])
		}
		g := float64(d[2] - d[1])
		want := g / math.Log(1/(math.Log2(3)-1))
		// d(sum)/dσ = exp(−g/σ)·g/σ², so a 1e-5 error in the sum moves σ
		// by at most 1e-5·σ²/(g·exp(−g/σ)).
		tol := 1e-5*want*want/(g*(math.Log2(3)-1)) + 1e-6*want
		if math.Abs(float64(sigma[i])-want) > tol {
			t.Errorf("point %d: σ = %v, want %v ± %v", i, sigma[i], want, tol)
		}
	}
	c := Connectivities(r, 1)
	// a_ij for each directed edge, then the fuzzy union.
	a := map[[2]int]float64{}
	for i := 0; i < r.N; i++ {
		idx, d := r.Row(i)
		for t, j := range idx[1:] {
			a[[2]int{i, int(j)}] = math.Exp(-math.Max(0, float64(d[t+1]-rho[i])) / float64(sigma[i]))
		}
	}
	checked := 0
	for i := 0; i < r.N; i++ {
		for j := 0; j < r.N; j++ {
			x, y := a[[2]int{i, j}], a[[2]int{j, i}]
			want := x + y - x*y
			got := float64(c.At(i, j))
			if math.Abs(got-want) > 1e-6 {
				t.Errorf("connectivity (%d,%d) = %v, want %v", i, j, got, want)
			}
			if want > 0 {
				checked++
			}
		}
	}
	if checked != c.NNZ() {
		t.Errorf("%d stored entries, want %d", c.NNZ(), checked)
	}
}

func TestConnectivitiesSymmetricAndDeterministic(t *testing.T) {
	data := randomData(11, 2000, 10, func(c int) float64 { return 4 / float64(c+1) })
	r, err := Exact(context.Background(), data, 30, 2)
	if err != nil {
		t.Fatal(err)
	}
	one := Connectivities(r, 1)
	four := Connectivities(r, 4)
	if !slices.Equal(one.Data, four.Data) || !slices.Equal(one.Indices, four.Indices) {
		t.Fatal("1 and 4 threads differ")
	}
	if err := one.Validate(); err != nil {
		t.Fatal(err)
	}
	tr := one.Transpose()
	if !slices.Equal(tr.Indices, one.Indices) || !slices.Equal(tr.Data, one.Data) {
		t.Fatal("connectivities are not symmetric")
	}
	for i := 0; i < one.Rows; i++ {
		idx, val := one.RowView(i)
		if len(idx) < r.K-1 {
			t.Fatalf("row %d has %d entries, fewer than K−1", i, len(idx))
		}
		for k, j := range idx {
			if int(j) == i || val[k] <= 0 || val[k] > 1 {
				t.Fatalf("row %d: entry (%d, %v)", i, j, val[k])
			}
		}
	}
}
