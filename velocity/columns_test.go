package velocity

import (
	"slices"
	"testing"

	"github.com/velo-rna/velo/array"
)

// geneMajor must lay out every column in full, also across partial tiles
// and thread counts.
func TestGeneMajor(t *testing.T) {
	for _, shape := range [][2]int{{1, 1}, {130, 70}, {64, 64}, {200, 3}, {0, 5}, {8, 8}, {1037, 75}, {513, 16}} {
		d := array.NewDense(shape[0], shape[1])
		for i := range d.Data {
			d.Data[i] = float32(i)
		}
		for _, threads := range []int{1, 3} {
			got := geneMajor(d, make([]float32, len(d.Data)+3), threads)
			for g := 0; g < d.Cols; g++ {
				if col := d.Col(nil, g); !slices.Equal(got[g*d.Rows:(g+1)*d.Rows], col) {
					t.Fatalf("%v, %d threads: column %d is %v, want %v", shape, threads, g, got[g*d.Rows:(g+1)*d.Rows], col)
				}
			}
		}
	}
}
