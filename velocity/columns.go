package velocity

import (
	"context"
	"math"

	"github.com/velo-rna/velo/array"
	"github.com/velo-rna/velo/internal/parallel"
)

// geneChunk is the number of genes one goroutine fits at a time (its
// scratch buffers are allocated once per chunk); transposes use
// transposeChunk columns per task so every row read is a run of contiguous
// values.
const (
	geneChunk      = 32
	transposeChunk = 64
	cellChunk      = 256
)

// geneMajor returns the columns of d one after another (column g occupies
// [g·rows, (g+1)·rows)), so per-gene work reads contiguous memory. It goes
// through tiles of tile × tile values, so both the reads and the writes
// are runs of contiguous memory: writing one value per column per row
// instead was four times slower on large blocks.
func geneMajor(d *array.Dense, threads int) []float32 {
	n, g := d.Rows, d.Cols
	out := make([]float32, n*g)
	parallel.For(g, transposeChunk, threads, func(_, lo, hi int) {
		var buf [tile * tile]float32
		for c0 := lo; c0 < hi; c0 += tile {
			w := min(tile, hi-c0)
			for r0 := 0; r0 < n; r0 += tile {
				h := min(tile, n-r0)
				for i := 0; i < h; i++ {
					row := d.Data[(r0+i)*g+c0 : (r0+i)*g+c0+w]
					for k, v := range row {
						buf[k*tile+i] = v
					}
				}
				for k := 0; k < w; k++ {
					copy(out[(c0+k)*n+r0:(c0+k)*n+r0+h], buf[k*tile:k*tile+h])
				}
			}
		}
	})
	return out
}

// tile is the side of geneMajor's square tiles (16 KB of float32).
const tile = 64

// forEach runs fn(k) for k in [0, n) in fixed chunks on up to threads
// goroutines; each chunk gets fresh scratch from newScratch. It stops
// starting chunks once ctx is done and then returns ctx's error.
func forEach[S any](ctx context.Context, n, threads int, newScratch func() S, fn func(s S, k int)) error {
	parallel.For(n, geneChunk, threads, func(_, lo, hi int) {
		if ctx.Err() != nil {
			return
		}
		s := newScratch()
		for k := lo; k < hi; k++ {
			fn(s, k)
		}
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
