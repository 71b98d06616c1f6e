package preprocess

import (
	"fmt"
	"sync"

	"github.com/velo-rna/velo/array"
	"github.com/velo-rna/velo/internal/parallel"
)

// tileWidth is the number of columns one smoothing kernel call produces:
// eight vectors of eight float32 lanes, whose sums stay in registers while
// the kernel reads one 256-byte slab row per neighbour.
const tileWidth = 64

// Smoother computes W·X for one weight matrix W and many matrices X, such
// as the blocks of genes of a large data set (Smooth and SmoothProduct
// build one per call). It holds W's rows in breadth-first order over its
// graph with the neighbours renumbered the same way; the data are laid out
// in that order too, so consecutive rows read neighbours that lie close
// together in memory and mostly in cache. Each output entry is still
// computed on its own, in W's column order, so the order changes no result.
//
// A Smoother is safe for concurrent use.
type Smoother struct {
	rows, cols int     // W is rows × cols; X has cols rows
	order      []int32 // output rows in processing order
	slot       []int32 // slab row of every row of X
	inv        []int32 // row of X at every slab row
	ptr        []int64 // the neighbours of row order[p] are nbr[ptr[p]:ptr[p+1]]
	nbr        []int32 // neighbours' slab rows, in W's column order
	wt         []float32

	// Slabs of earlier calls, kept because fresh memory of their size
	// (a quarter of a GB) costs page faults and garbage collections on
	// every call.
	mu    sync.Mutex
	slabs [][]float32
}

// NewSmoother prepares W for Smoother.Smooth and Smoother.SmoothProduct.
// It panics when an index of W is outside [0, W.Cols).
func NewSmoother(w *array.CSR) *Smoother {
	s := &Smoother{rows: w.Rows, cols: w.Cols, order: graphOrder(w), slot: make([]int32, w.Cols)}
	for j := range s.slot {
		s.slot[j] = int32(j)
	}
	if w.Rows == w.Cols {
		// The data rows follow the processing order.
		for p, i := range s.order {
			s.slot[i] = int32(p)
		}
	}
	s.inv = make([]int32, w.Cols)
	for j, r := range s.slot {
		s.inv[r] = int32(j)
	}
	s.ptr = make([]int64, w.Rows+1)
	for p, i := range s.order {
		s.ptr[p+1] = s.ptr[p] + w.Indptr[i+1] - w.Indptr[i]
	}
	s.nbr = make([]int32, s.ptr[w.Rows])
	s.wt = make([]float32, s.ptr[w.Rows])
	for p, i := range s.order {
		idx, val := w.RowView(int(i))
		nbr := s.nbr[s.ptr[p]:s.ptr[p+1]]
		for k, j := range idx {
			if j < 0 || int(j) >= w.Cols {
				panic(fmt.Sprintf("preprocess: weight index %d outside [0, %d)", j, w.Cols))
			}
			nbr[k] = s.slot[j]
		}
		copy(s.wt[s.ptr[p]:s.ptr[p+1]], val)
	}
	return s
}

// Smooth returns W·X (see the function Smooth).
func (s *Smoother) Smooth(x array.Matrix, threads int) *array.Dense {
	rows, cols := x.Shape()
	if rows != s.cols {
		panic(fmt.Sprintf("preprocess: weights are %d×%d but data has %d rows", s.rows, s.cols, rows))
	}
	var fill func(slab []float32, c0, c1 int)
	switch m := x.(type) {
	case *array.CSR:
		// Groups come in column order: each row's next entry starts the
		// next group.
		next := make([]int32, rows)
		fill = func(slab []float32, c0, c1 int) {
			// Writing a tile row at a random slab position costs about one
			// cache miss, reading a row of X at a random position about
			// four (its bounds, cursor, indices and values). With more
			// than four tiles the slab is therefore filled in its own
			// order, reading the rows of X at random, and otherwise in the
			// order of X.
			bySlab := c1-c0 > 4*tileWidth
			parallel.For(rows, rowChunk, threads, func(_, lo, hi int) {
				for q := lo; q < hi; q++ {
					j, r := q, int(s.slot[q])
					if bySlab {
						j, r = int(s.inv[q]), q
					}
					for t := c0; t < c1; t += tileWidth {
						clear(slab[(t-c0)*rows+r*tileWidth:][:min(tileWidth, c1-t)])
					}
					idx, val := m.RowView(j)
					k := int(next[j])
					for ; k < len(idx) && int(idx[k]) < c1; k++ {
						c := int(idx[k]) - c0
						slab[c/tileWidth*tileWidth*rows+r*tileWidth+c%tileWidth] = val[k]
					}
					next[j] = int32(k)
				}
			})
		}
	case *array.Dense:
		fill = func(slab []float32, c0, c1 int) {
			parallel.For(rows, rowChunk, threads, func(_, lo, hi int) {
				for j := lo; j < hi; j++ {
					r := int(s.slot[j]) * tileWidth
					src := m.Data[j*cols : (j+1)*cols]
					for t := c0; t < c1; t += tileWidth {
						copy(slab[(t-c0)*rows+r:], src[t:min(t+tileWidth, c1)])
					}
				}
			})
		}
	default:
		panic("preprocess: unknown matrix type")
	}
	return s.apply(cols, threads, fill)
}

// smoothBlockValues bounds the slab of data columns Smooth densifies at a
// time (512 MiB of float32, small beside the n × G output): all columns up
// to 1280 at 100 000 cells, 128 at a million.
const smoothBlockValues = 1 << 27

// apply computes W·D for the s.cols × cols matrix D that fill densifies
// group by group of columns. fill(slab, c0, c1) writes columns [c0, c1) of
// D as tiles of tileWidth columns, one after another: column c of row j in
// slab[(c−c0)/tileWidth·tileWidth·s.cols + slot[j]·tileWidth + (c−c0)%tileWidth].
// The tiles are smoothed one at a time, so that the rows the cells read
// are those of one tile (25 MB at 100 000 cells).
func (s *Smoother) apply(cols, threads int, fill func(slab []float32, c0, c1 int)) *array.Dense {
	out := array.NewDense(s.rows, cols)
	if cols == 0 || s.rows == 0 || s.cols == 0 {
		return out
	}
	tiles := (cols + tileWidth - 1) / tileWidth
	group := min(tiles, max(1, smoothBlockValues/(tileWidth*s.cols))) * tileWidth
	slab := s.getSlab(group * s.cols)
	defer s.putSlab(slab)
	for c0 := 0; c0 < cols; c0 += group {
		c1 := min(c0+group, cols)
		fill(slab, c0, c1)
		for t0 := c0; t0 < c1; t0 += tileWidth {
			tw := min(tileWidth, c1-t0)
			ts := slab[(t0-c0)*s.cols : (t0-c0+tileWidth)*s.cols]
			parallel.For(s.rows, rowChunk, threads, func(_, lo, hi int) {
				var part [8]float32
				for p := lo; p < hi; p++ {
					i := int(s.order[p])
					nbr, wt := s.nbr[s.ptr[p]:s.ptr[p+1]], s.wt[s.ptr[p]:s.ptr[p+1]]
					dst := out.Data[i*cols+t0 : i*cols+t0+tw]
					if tw == tileWidth {
						smoothTile(dst, nbr, wt, ts)
						continue
					}
					l := 0
					for ; l+8 <= tw; l += 8 {
						smoothLanes(dst[l:], nbr, wt, ts[l:])
					}
					if l < tw {
						smoothLanes(part[:], nbr, wt, ts[l:])
						copy(dst[l:], part[:tw-l])
					}
				}
			})
		}
	}
	return out
}

// smoothLanesGo sets dst[l] = Σ_t wt[t]·slab[tileWidth·idx[t]+l] for every
// l < len(dst), adding in float32 in the order of t from +0; the explicit
// conversion keeps the product rounded (no fused multiply-add), as in
// scipy's sparse product.
func smoothLanesGo(dst []float32, idx []int32, wt []float32, slab []float32) {
	for l := range dst {
		var acc float32
		for t, j := range idx {
			acc += float32(wt[t] * slab[int(j)*tileWidth+l])
		}
		dst[l] = acc
	}
}

// getSlab returns a slab of n values with arbitrary contents, kept from an
// earlier call when one is large enough.
func (s *Smoother) getSlab(n int) []float32 {
	s.mu.Lock()
	defer s.mu.Unlock()
	for k, f := range s.slabs {
		if cap(f) >= n {
			s.slabs = append(s.slabs[:k], s.slabs[k+1:]...)
			return f[:n]
		}
	}
	return make([]float32, n)
}

// putSlab keeps slab for later calls.
func (s *Smoother) putSlab(slab []float32) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.slabs = append(s.slabs, slab)
}
