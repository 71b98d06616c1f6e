package preprocess

import (
	"context"
	"fmt"
	"math"

	"github.com/velo-rna/velo/anndata"
	"github.com/velo-rna/velo/array"
	"github.com/velo-rna/velo/internal/parallel"
)

// log1pChunk is the number of values one goroutine transforms at a time.
const log1pChunk = 1 << 16

// Log1pOptions configures Log1p.
type Log1pOptions struct {
	Threads int
	Logf    Logf
}

// Log1p replaces X by ln(1 + X) in place (spec A5; scanpy.pp.log1p, which
// scVelo 0.3.3 calls): only X, never the spliced/unspliced layers, which
// stay on the normalised-count scale. For sparse X only stored values
// change. It records uns log1p as scanpy does ({"base": None}; None cannot
// be stored, so the map is empty, as in a file written by anndata).
func Log1p(ctx context.Context, a *anndata.AnnData, opts Log1pOptions) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if a.X == nil {
		return fmt.Errorf("log1p: X is missing")
	}
	if err := checkValues(a, "X", a.X, true); err != nil {
		return fmt.Errorf("log1p: %w", err)
	}
	log1p(a, opts)
	return nil
}

func log1p(a *anndata.AnnData, opts Log1pOptions) {
	if _, done := a.Uns["log1p"]; done {
		opts.Logf.printf("WARNING: adata.X seems to be already log-transformed.")
	}
	unshare(a, []string{"X"})
	var data []float32
	switch t := a.X.(type) {
	case *array.CSR:
		data = t.Data
	case *array.Dense:
		data = t.Data
	}
	parallel.For(len(data), log1pChunk, opts.Threads, func(_, lo, hi int) {
		var cache log1pCache
		for k, v := range data[lo:hi] {
			data[lo+k] = cache.log1p(v)
		}
	})
	a.Uns["log1p"] = map[string]any{}
	opts.Logf.printf("Logarithmized X.")
}

// log1pCache memoises float32 log1p. Normalised counts are small integers
// times one factor per cell, so consecutive values repeat often and a tiny
// direct-mapped table saves most logarithms; results are those of the
// uncached computation, so the cache cannot change any output.
type log1pCache struct {
	key [256]uint32
	val [256]float32
	set [256]bool
}

// log1p returns ln(1+v) as float32: the float64 log1p rounded to float32,
// the correctly rounded result (numpy's float32 log1p agrees to an ulp).
func (c *log1pCache) log1p(v float32) float32 {
	bits := math.Float32bits(v)
	h := (bits * 0x9e3779b1) >> 24
	if c.set[h] && c.key[h] == bits {
		return c.val[h]
	}
	r := float32(math.Log1p(float64(v)))
	c.key[h], c.val[h], c.set[h] = bits, r, true
	return r
}
