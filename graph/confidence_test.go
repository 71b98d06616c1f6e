package graph

import (
	"context"
	"github.com/velo-rna/velo/internal/numeric"
	"math"
	"testing"

	"github.com/velo-rna/velo/array"
)

func TestVelocityConfidence(t *testing.T) {
	a := synthGrid(7, 5, 3, 25, "stochastic", 8)
	runGraph(t, a, GraphOptions{})
	vel := a.Layers["velocity"].(*array.Dense)
	const still = 4
	for k := range vel.Row(still) {
		vel.Row(still)[k] = 1
	}
	if err := VelocityConfidence(context.Background(), a, ConfidenceOptions{}); err != nil {
		t.Fatal(err)
	}
	length, _ := a.Obs.Float64("velocity_length")
	conf, _ := a.Obs.Float64("velocity_confidence")
	n, g := vel.Rows, vel.Cols
	centred := func(i int) []float64 {
		v := make([]float64, g)
		var m float64
		for k := range v {
			v[k] = float64(vel.At(i, k))
			m += v[k]
		}
		for k := range v {
			v[k] -= m / float64(g)
		}
		return v
	}
	for i := 0; i < n; i++ {
		vi := centred(i)
		var nn float64
		for _, x := range vi {
			nn += x * x
		}
		if math.Abs(length[i]-math.Sqrt(nn)) > 0.005+1e-6 {
			t.Errorf("cell %d length %g, want %g rounded to 2 decimals", i, length[i], math.Sqrt(nn))
		}
		idx, _ := a.Obsp["distances"].RowView(i)
		var s float64
		for _, j := range idx {
			vj := centred(int(j))
			var dot, nj float64
			for k := range vj {
				dot += vj[k] * vi[k]
				nj += vj[k] * vj[k]
			}
			s += dot / math.Sqrt(nj*nn)
		}
		want := math.Max(s/float64(len(idx)), 0)
		if math.IsNaN(s) {
			want = math.NaN()
		}
		if got := conf[i]; !(math.Abs(got-want) <= 1e-5 || (math.IsNaN(got) && math.IsNaN(want))) {
			t.Errorf("cell %d confidence %g, want %g", i, got, want)
		}
	}
	if !math.IsNaN(conf[still]) {
		t.Errorf("confidence of a cell without centred velocity = %g, want NaN as scVelo", conf[still])
	}
	trans, _ := a.Obs.Float64("velocity_confidence_transition")
	if trans[still] != 0 {
		t.Errorf("transition confidence of a still cell = %g, want 0", trans[still])
	}
	moving := 0
	for i, x := range trans {
		if x < -1-1e-6 || x > 1+1e-6 {
			t.Errorf("transition confidence %d = %g outside [−1, 1]", i, x)
		}
		if x > 0.5 {
			moving++
		}
	}
	// Velocities point along the lattice's x axis, so expected
	// displacements mostly agree with them.
	if moving < n/2 {
		t.Errorf("only %d of %d cells have transition confidence > 0.5", moving, n)
	}
}

func TestRoundFloat32(t *testing.T) {
	// Expected values from numpy: np.float32([...]).round(2).
	in := []float32{0.125, 0.135, 0.145, 0.155, 0.165, 2.675, 1.005, 7.815, 0.285}
	want := []float64{0.11999999731779099, 0.14000000059604645, 0.14000000059604645, 0.1599999964237213, 0.1599999964237213, 2.680000066757202, 1.0, 7.820000171661377, 0.2800000011920929}
	for k, x := range in {
		if got := float64(roundFloat32(x, 100)); got != want[k] {
			t.Errorf("round(%v, 2) = %v, want %v", x, got, want[k])
		}
	}
}

func TestPercentile(t *testing.T) {
	// Expected values from numpy.percentile.
	for _, tc := range []struct {
		x    []float64
		q    float64
		want float64
	}{
		{[]float64{1, 2, 3, 4}, 98, 3.94},
		{[]float64{3, 1, 2}, 2, 1.04},
		{[]float64{0.5, 0.25, 0.125, 1, 2}, 50, 0.5},
		{[]float64{0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1}, 98, 0.9800000000000001},
		{[]float64{5}, 98, 5},
	} {
		if got := numeric.Percentile(tc.x, tc.q); got != tc.want {
			t.Errorf("numeric.Percentile(%v, %g) = %.17g, want %.17g", tc.x, tc.q, got, tc.want)
		}
	}
	if !math.IsNaN(numeric.Percentile([]float64{1, math.NaN()}, 50)) {
		t.Error("percentile with NaN is not NaN")
	}
}

func TestNeighborTable(t *testing.T) {
	// Row 0 has three stored distances (one an explicit zero of a duplicate
	// cell), rows 1 and 2 two: width 2, row 0 keeps its two smallest, in
	// stored order.
	d := &array.CSR{Rows: 3, Cols: 3, Indptr: []int64{0, 3, 5, 7},
		Indices: []int32{0, 1, 2, 0, 2, 0, 1}, Data: []float32{9, 0, 4, 1, 2, 3, 4}}
	tab, err := neighborTable(d, 0)
	if err != nil {
		t.Fatal(err)
	}
	if tab.k != 2 {
		t.Fatalf("width %d, want 2", tab.k)
	}
	for i, want := range [][]int32{{1, 2}, {0, 2}, {0, 1}} {
		got := tab.row(i)
		if got[0] != want[0] || got[1] != want[1] {
			t.Errorf("row %d = %v, want %v", i, got, want)
		}
	}
	if tab, _ := neighborTable(d, 1); tab.k != 1 || tab.row(0)[0] != 1 {
		t.Errorf("k=1: %+v", tab)
	}
	if err := checkPositiveNeighbors(d); err != nil {
		t.Errorf("graph with a positive distance in every row rejected: %v", err)
	}
	d.Data[1], d.Data[2], d.Data[0] = 0, 0, 0
	if err := checkPositiveNeighbors(d); err == nil {
		t.Error("a row of zero distances was accepted")
	}
}
