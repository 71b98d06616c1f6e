package graph

import (
	"math"
	"testing"

	"github.com/velo-rna/velo/anndata"
	"github.com/velo-rna/velo/array"
)

// threeCells is a hand-made velocity graph: cell 0 has cosines +0.5 to 1
// and −0.2 to 2; cell 1 has +0.1 to 0; cell 2 has none.
func threeCells() *anndata.AnnData {
	a := anndata.New([]string{"a", "b", "c"}, []string{"g"})
	a.Uns["velocity_graph"] = &array.CSR{Rows: 3, Cols: 3, Indptr: []int64{0, 1, 2, 2}, Indices: []int32{1, 0}, Data: []float32{0.5, 0.1}}
	a.Uns["velocity_graph_neg"] = &array.CSR{Rows: 3, Cols: 3, Indptr: []int64{0, 1, 1, 1}, Indices: []int32{2}, Data: []float32{-0.2}}
	return a
}

func TestTransitionMatrixFormulas(t *testing.T) {
	// Row maxima r = (0.5, 0.1, 0); numpy's pct98 of r:
	// sorted (0, 0.1, 0.5), position 1.96 → 0.5 − 0.4·0.04 = 0.484.
	ub := 0.484
	s := []float64{math.Max(ub-0.5, 0), ub - 0.1, ub}
	e := math.Exp
	for _, tc := range []struct {
		name string
		opts TransitionOptions
		want [][]float64 // dense expected before normalisation
	}{
		{"default", TransitionOptions{}, [][]float64{
			{0, e(5), e(-2)}, // s_0 = 0: no diagonal entry
			{e(1), e(10 * s[1]), 0},
			{0, 0, e(10 * s[2])},
		}},
		{"negative cosines", TransitionOptions{UseNegativeCosines: true}, [][]float64{
			{0, math.Expm1(5), -math.Expm1(2)},
			{math.Expm1(1), math.Expm1(10 * s[1]), 0},
			{0, 0, math.Expm1(10 * s[2])},
		}},
		{"no self transitions", TransitionOptions{NoSelfTransitions: true}, [][]float64{
			{0, e(5), e(-2)},
			{e(1), 0, 0},
			{0, 0, 0},
		}},
		{"scale 2 backward", TransitionOptions{Scale: 2, NoSelfTransitions: true, Backward: true}, [][]float64{
			{0, e(0.2), 0},
			{e(1), 0, 0},
			{e(-0.4), 0, 0},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tm, err := TransitionMatrix(threeCells(), tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			if err := tm.Validate(); err != nil {
				t.Fatal(err)
			}
			for i, row := range tc.want {
				var sum float64
				nnz := 0
				for _, v := range row {
					sum += math.Abs(v)
					if v != 0 {
						nnz++
					}
				}
				idx, _ := tm.RowView(i)
				if len(idx) != nnz {
					t.Errorf("row %d stores %d entries, want %d", i, len(idx), nnz)
				}
				for j, v := range row {
					want := 0.0
					if sum > 0 {
						want = v / sum
					}
					if got := float64(tm.At(i, j)); math.Abs(got-want) > 1e-6 {
						t.Errorf("T[%d,%d] = %g, want %g", i, j, got, want)
					}
				}
			}
		})
	}
}

func TestTransitionMatrixNeedsGraph(t *testing.T) {
	a := anndata.New([]string{"a"}, []string{"g"})
	if _, err := TransitionMatrix(a, TransitionOptions{}); err == nil {
		t.Error("no error without a velocity graph")
	}
	a.Uns["velocity_graph"] = array.NewCSR(2, 2)
	if _, err := TransitionMatrix(a, TransitionOptions{}); err == nil {
		t.Error("no error for a graph of the wrong shape")
	}
}

// Without a negative graph scVelo's kernel is e^{scale·c} − 1 on the
// positive entries (no +1).
func TestTransitionMatrixWithoutNegativeGraph(t *testing.T) {
	a := threeCells()
	delete(a.Uns, "velocity_graph_neg")
	tm, err := TransitionMatrix(a, TransitionOptions{NoSelfTransitions: true})
	if err != nil {
		t.Fatal(err)
	}
	if got := tm.At(0, 1); got != 1 {
		t.Errorf("T[0,1] = %g, want 1 (only entry of its row)", got)
	}
	if idx, _ := tm.RowView(0); len(idx) != 1 {
		t.Errorf("row 0 has %d entries, want 1", len(idx))
	}
}
