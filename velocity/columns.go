package velocity

import (
	"context"
	"math"
	"sync"

	"github.com/velo-rna/velo/array"
	"github.com/velo-rna/velo/internal/parallel"
)

// geneChunk is the number of genes one goroutine fits at a time, and
// cellChunk the number of cells it computes layers for.
const (
	geneChunk = 4
	cellChunk = 256
)

// geneMajor writes the columns of d one after another into out (column g
// occupies [g·rows, (g+1)·rows)), so per-gene work reads contiguous memory,
// and returns out[:rows·cols]; out may hold anything on entry. It works
// on tiles of transposeRows rows × tile columns, eight columns at a time
// transposed in vector registers, so that both the reads and the writes
// are runs of contiguous memory and a tile's rows stay in cache while its
// columns are written.
func geneMajor(d *array.Dense, out []float32, threads int) []float32 {
	n, g := d.Rows, d.Cols
	out = out[:n*g]
	colTiles := (g + tile - 1) / tile
	rowTiles := (n + transposeRows - 1) / transposeRows
	parallel.For(colTiles*rowTiles, 1, threads, func(_, t, _ int) {
		c0, r0 := t%colTiles*tile, t/colTiles*transposeRows
		c1, r1 := min(c0+tile, g), min(r0+transposeRows, n)
		for c := c0; c < c1; c += 8 {
			done := 0
			if c+8 <= c1 {
				done = transpose8(out[c*n+r0:], n, d.Data[r0*g+c:], g, r1-r0)
			}
			for k := c; k < min(c+8, c1); k++ {
				col := out[k*n : (k+1)*n]
				for r := r0 + done; r < r1; r++ {
					col[r] = d.Data[r*g+k]
				}
			}
		}
	})
	return out
}

// tile and transposeRows are the columns and rows of geneMajor's tiles
// (64 KB of float32).
const (
	tile          = 64
	transposeRows = 256
)

// forEach runs fn(k) for k in [0, n) in fixed chunks on up to threads
// goroutines. Scratch from newScratch is reused from chunk to chunk (fn
// must not depend on what an earlier gene left in it), so chunks can be
// small enough to balance the threads when a block holds few genes of
// many cells. It stops starting chunks once ctx is done and then returns
// ctx's error.
func forEach[S any](ctx context.Context, n, threads int, newScratch func() S, fn func(s S, k int)) error {
	var (
		mu   sync.Mutex
		free []S
	)
	get := func() S {
		mu.Lock()
		defer mu.Unlock()
		if m := len(free); m > 0 {
			s := free[m-1]
			free = free[:m-1]
			return s
		}
		return newScratch()
	}
	parallel.For(n, geneChunk, threads, func(_, lo, hi int) {
		if ctx.Err() != nil {
			return
		}
		s := get()
		for k := lo; k < hi; k++ {
			fn(s, k)
		}
		mu.Lock()
		free = append(free, s)
		mu.Unlock()
	})
	return ctx.Err()
}

// std is the population standard deviation (numpy's default ddof=0),
// two-pass in float64.
func std[T float32 | float64](x []T) float64 {
	if len(x) == 0 {
		return 0
	}
	var mean float64
	for _, v := range x {
		mean += float64(v)
	}
	mean /= float64(len(x))
	var ss float64
	for _, v := range x {
		d := float64(v) - mean
		ss += d * d
	}
	return math.Sqrt(ss / float64(len(x)))
}

func anyPositive(x []float32) bool {
	for _, v := range x {
		if v > 0 {
			return true
		}
	}
	return false
}
