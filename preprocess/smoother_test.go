package preprocess

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/velo-rna/velo/array"
)

// naiveSmooth is W·X summed entry by entry as scipy's sparse product does:
// float32 products added in float32 over W's row in column order.
func naiveSmooth(w *array.CSR, x *array.Dense) *array.Dense {
	out := array.NewDense(w.Rows, x.Cols)
	for i := 0; i < w.Rows; i++ {
		idx, val := w.RowView(i)
		for c := 0; c < x.Cols; c++ {
			var acc float32
			for k, j := range idx {
				acc += float32(val[k] * x.At(int(j), c))
			}
			out.Set(i, c, acc)
		}
	}
	return out
}

// Smooth must equal the entry-by-entry sum bit for bit for every tile
// shape (full 64-column tiles, 8-lane groups and a partial group), for
// sparse and dense data and any thread count, also for weights whose rows
// are neither normalised nor in a single graph component.
func TestSmoothMatchesNaive(t *testing.T) {
	r := rand.New(rand.NewPCG(41, 42))
	const n = 300
	g := &array.CSR{Rows: n, Cols: n, Indptr: make([]int64, n+1)}
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			// Cells ≥ 250 only see each other: a second component.
			if (i < 250) == (j < 250) && r.Float64() < 0.05 {
				g.Indices = append(g.Indices, int32(j))
				g.Data = append(g.Data, r.Float32())
			}
		}
		g.Indptr[i+1] = int64(len(g.Indices))
	}
	for _, w := range []*array.CSR{ConnectivityWeights(g), g} {
		// One Smoother serves every call, so slabs are reused across
		// widths.
		sm := NewSmoother(w)
		for _, cols := range []int{150, 1, 7, 8, 21, 64, 65} {
			x := randomCounts(uint64(cols), n, cols)
			for k := range x.Data {
				x.Data[k] *= float32(r.NormFloat64())
			}
			want := naiveSmooth(w, x)
			for _, threads := range []int{1, 4} {
				for name, m := range map[string]array.Matrix{"dense": x, "sparse": x.ToCSR()} {
					got := sm.Smooth(m, threads)
					if !sameBits(got.Data, want.Data) {
						t.Errorf("%d columns, %s, %d threads: differs from the entry-by-entry sum", cols, name, threads)
					}
				}
			}
		}
	}
}

// A rectangular W (more data rows than output rows) smooths like the
// entry-by-entry sum too.
func TestSmoothRectangular(t *testing.T) {
	r := rand.New(rand.NewPCG(43, 44))
	w := &array.CSR{Rows: 40, Cols: 90, Indptr: make([]int64, 41)}
	for i := 0; i < 40; i++ {
		for j := 0; j < 90; j++ {
			if r.Float64() < 0.2 {
				w.Indices = append(w.Indices, int32(j))
				w.Data = append(w.Data, r.Float32())
			}
		}
		w.Indptr[i+1] = int64(len(w.Indices))
	}
	x := randomCounts(45, 90, 70)
	if !sameBits(Smooth(w, x.ToCSR(), 2).Data, naiveSmooth(w, x).Data) {
		t.Error("rectangular weights: differs from the entry-by-entry sum")
	}
}

// The vectorised kernels round exactly like the scalar loop.
func TestSmoothKernelsBitExact(t *testing.T) {
	r := rand.New(rand.NewPCG(46, 47))
	const rows = 50
	slab := make([]float32, rows*tileWidth)
	for k := range slab {
		slab[k] = float32(r.NormFloat64() * math.Pow(10, float64(r.IntN(9)-4)))
	}
	for _, deg := range []int{0, 1, 2, 33} {
		idx := make([]int32, deg)
		wt := make([]float32, deg)
		for k := range idx {
			idx[k] = int32(r.IntN(rows))
			wt[k] = r.Float32()
		}
		want := make([]float32, tileWidth)
		smoothLanesGo(want, idx, wt, slab)
		got := make([]float32, tileWidth)
		smoothTile(got, idx, wt, slab)
		if !sameBits(got, want) {
			t.Errorf("degree %d: tile kernel differs from the scalar loop", deg)
		}
		for l := 0; l+8 <= tileWidth; l += 8 {
			part := make([]float32, 8)
			smoothLanes(part, idx, wt, slab[l:])
			if !sameBits(part, want[l:l+8]) {
				t.Errorf("degree %d: lanes %d–%d differ from the scalar loop", deg, l, l+7)
			}
		}
	}
}

func sameBits(a, b []float32) bool {
	return slices.EqualFunc(a, b, func(x, y float32) bool { return math.Float32bits(x) == math.Float32bits(y) })
}
