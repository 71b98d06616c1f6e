package velocity

import (
	"github.com/velo-rna/velo/array"
	"github.com/velo-rna/velo/internal/parallel"
)

// velocityLayer returns layers['velocity'] = Mu − γ·Ms (− offset) for all
// cells and genes with the final parameters.
func velocityLayer(ms, mu *array.Dense, fits []geneFit, o Options) *array.Dense {
	out := array.NewDense(ms.Rows, ms.Cols)
	parallel.For(ms.Rows, cellChunk, o.Threads, func(_, lo, hi int) {
		for i := lo; i < hi; i++ {
			x, y, v := ms.Row(i), mu.Row(i), out.Row(i)
			for g := range v {
				v[g] = residual(y[g], x[g], fits[g].gamma, fits[g].offset, o.FitOffset)
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
	parallel.For(ms.Rows, cellChunk, o.Threads, func(_, lo, hi int) {
		for i := lo; i < hi; i++ {
			x, y, v := ms.Row(i), mu.Row(i), out.Row(i)
			m2s, m2u := mss.Row(i), mus.Row(i)
			for k, g := range refit {
				f := &fits[g]
				vss, cus := secondMoments32(m2s[k], m2u[k], x[g], y[g])
				v[g] = varianceResidual(vss, cus, x[g], y[g], f.gamma, f.offset, f.offset2, o.FitOffset, o.FitOffset2)
			}
		}
	})
	return out
}
