package velocity

import (
	"github.com/velo-rna/velo/array"
	"github.com/velo-rna/velo/internal/parallel"
)

// velocityLayer returns layers['velocity'] = Mu − γ·Ms (− offset) for all
// cells and genes with the final parameters.
func velocityLayer(ms, mu *array.Dense, fits []geneFit, o Options) *array.Dense {
	out := array.NewDense(ms.Rows, ms.Cols)
	// Without an offset γ is float32 and so is the arithmetic (residual);
	// the loop over a row then needs nothing but the γ of each gene.
	gamma := make([]float32, len(fits))
	for g := range fits {
		gamma[g] = float32(fits[g].gamma)
	}
	parallel.For(ms.Rows, cellChunk, o.Threads, func(_, lo, hi int) {
		for i := lo; i < hi; i++ {
			x, y, v := ms.Row(i), mu.Row(i), out.Row(i)
			x, y = x[:len(v)], y[:len(v)]
			if o.FitOffset {
				for g := range v {
					v[g] = residual(y[g], x[g], fits[g].gamma, fits[g].offset, true)
				}
				continue
			}
			gamma := gamma[:len(v)]
			for g := range v {
				v[g] = y[g] - float32(gamma[g]*x[g])
			}
		}
	})
	return out
}

// varianceLayer returns layers['variance_velocity']: the second-moment
// residual of the refit genes (column k of mss and mus belongs to gene
// refit[k]) and zeros elsewhere.
func varianceLayer(ms, mu, mss, mus *array.Dense, refit []int, fits []geneFit, o Options) *array.Dense {
	out := array.NewDense(ms.Rows, ms.Cols)
	sel := make([]geneFit, len(refit))
	for k, g := range refit {
		sel[k] = fits[g]
	}
	parallel.For(ms.Rows, cellChunk, o.Threads, func(_, lo, hi int) {
		for i := lo; i < hi; i++ {
			x, y, v := ms.Row(i), mu.Row(i), out.Row(i)
			m2s, m2u := mss.Row(i)[:len(refit)], mus.Row(i)[:len(refit)]
			for k, g := range refit {
				f := &sel[k]
				vss, cus := secondMoments32(m2s[k], m2u[k], x[g], y[g])
				v[g] = varianceResidual(vss, cus, x[g], y[g], f.gamma, f.offset, f.offset2, o.FitOffset, o.FitOffset2)
			}
		}
	})
	return out
}
