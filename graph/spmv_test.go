package graph

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// The dispatched sparse-times-dense kernel must give the bits of the
// portable one (axpyF32 row after row) for blocks of whole register tiles,
// tiles plus a tail and a tail alone, and for empty rows.
func TestSpmvRowsMatchesPortable(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	const n, g = 50, 1274
	data := make([]float32, n*g)
	for k := range data {
		data[k] = float32(rng.NormFloat64())
	}
	x := geneRows{data: data, stride: g, g: g}
	for _, tc := range []struct{ b0, width, nnz int }{
		{0, 256, 30}, {256, 250, 17}, {0, 128, 32}, {0, 250, 33}, {1024, 250, 40}, {0, 26, 5}, {32, 64, 1}, {0, 1274, 49}, {96, 32, 0},
	} {
		t.Run(fmt.Sprintf("b0=%d/width=%d/nnz=%d", tc.b0, tc.width, tc.nnz), func(t *testing.T) {
			idx := make([]int32, tc.nnz)
			w := make([]float32, tc.nnz)
			for k := range idx {
				idx[k] = int32(rng.IntN(n))
				w[k] = float32(rng.Float64())
			}
			want := make([]float64, tc.width)
			got := make([]float64, tc.width)
			for k := range got {
				got[k] = 7 // stale content must be overwritten
			}
			spmvRowsGo(want, x, tc.b0, idx, w)
			spmvRows(got, x, tc.b0, idx, w)
			for c := range want {
				if got[c] != want[c] {
					t.Fatalf("gene %d: got %v, want %v", tc.b0+c, got[c], want[c])
				}
			}
		})
	}
}
