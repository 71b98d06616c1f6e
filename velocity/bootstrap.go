package velocity

import (
	"math"
	"math/bits"
	"math/rand/v2"
)

// bootLow and bootHigh are the percentiles of the bootstrap interval.
const (
	bootLow  = 2.5
	bootHigh = 97.5
)

// geneStream returns gene g's random stream: a PCG seeded with the run's
// seed and a scrambled gene index. Each gene owns its stream, so the draws do
// not depend on which goroutine fits which gene.
func geneStream(seed uint64, g int) *rand.PCG {
	return rand.NewPCG(seed, splitmix64(uint64(g)))
}

// splitmix64 scrambles consecutive integers into unrelated 64-bit words
// (Steele, Lea & Flood's SplitMix64 finaliser).
func splitmix64(z uint64) uint64 {
	z += 0x9e3779b97f4a7c15
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// drawIndex returns a uniform integer in [0, n) by Lemire's multiply-and-
// reject method. It is written out here, not taken from math/rand, so the
// stream of indices is fixed by velo's code alone.
func drawIndex(r *rand.PCG, n int) int {
	un := uint64(n)
	hi, lo := bits.Mul64(r.Uint64(), un)
	if lo < un {
		thresh := -un % un
		for lo < thresh {
			hi, lo = bits.Mul64(r.Uint64(), un)
		}
	}
	return int(hi)
}

// bootScratch holds one worker's buffers for bootstrap resampling.
type bootScratch struct {
	xs, ys  []float32
	all     []bool
	idx     []int
	gammas  []float64
	scratch []float64
	rows    glsRows
}

func grow[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}

// bootstrapLine resamples the fitted cells of a steady-state line with
// replacement reps times, refits γ with the estimator of FitGamma (including
// the negative-intercept rule and NaN → 0) and returns the 2.5 and 97.5
// percentiles of the replicates. NaN when no cell was fitted.
func bootstrapLine(x, y []float32, sel []bool, fitOffset bool, reps int, r *rand.PCG, b *bootScratch) (lo, hi float64) {
	b.idx = b.idx[:0]
	for i, s := range sel {
		if s {
			b.idx = append(b.idx, i)
		}
	}
	m := len(b.idx)
	if m == 0 || reps < 1 {
		return math.NaN(), math.NaN()
	}
	b.xs, b.ys, b.all = grow(b.xs, m), grow(b.ys, m), grow(b.all, m)
	for k := range b.all {
		b.all[k] = true
	}
	b.gammas, b.scratch = grow(b.gammas, reps), grow(b.scratch, reps)
	for rep := range b.gammas {
		for k := 0; k < m; k++ {
			i := b.idx[drawIndex(r, m)]
			b.xs[k], b.ys[k] = x[i], y[i]
		}
		f, _, _, _ := lineParams(b.xs, b.ys, b.all, fitOffset)
		b.gammas[rep] = f.gamma
	}
	return percentile(b.gammas, b.scratch, bootLow), percentile(b.gammas, b.scratch, bootHigh)
}

// bootstrapGLS resamples the cells of the stochastic system with replacement
// reps times (a drawn cell brings both of its rows), re-solves the weighted
// normal equations with the weights of the original fit, and returns the 2.5
// and 97.5 percentiles of the γ replicates. NaN when the design is
// undefined.
func bootstrapGLS(x, y, x2, y2 []float32, w []bool, m glsModel, reps int, r *rand.PCG, b *bootScratch) (lo, hi float64) {
	n := len(x)
	if !m.defined() || n == 0 || reps < 1 {
		return math.NaN(), math.NaN()
	}
	b.rows.fill(m, x, y, x2, y2, w)
	a1, t1, a2, t2 := b.rows.a1, b.rows.t1, b.rows.a2, b.rows.t2
	b.gammas, b.scratch = grow(b.gammas, reps), grow(b.scratch, reps)
	for rep := range b.gammas {
		var s glsSums
		for k := 0; k < n; k++ {
			i := drawIndex(r, n)
			s.add(a1[i], t1[i], a2[i], t2[i])
		}
		theta, _, _ := m.solve(&s)
		_, _, b.gammas[rep] = m.unpack(theta)
	}
	return percentile(b.gammas, b.scratch, bootLow), percentile(b.gammas, b.scratch, bootHigh)
}
