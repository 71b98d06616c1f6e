package graph

import "math"

// The cosine kernels compare cell i with candidate j over the padded gene
// vectors xi, xj (the expression state) and v (cell i's velocity). Vectors
// are padded with zeros to a multiple of padWidth entries so the vector
// implementations need no tail loop; zero padding adds nothing to any sum.
//
// On amd64 with AVX2 and FMA the sums run in float32 SIMD lanes (scVelo
// computes in float32 too); elsewhere the portable versions below
// accumulate in float64. Either way results for a given machine do not
// depend on the number of threads.
var (
	// sqrtDiffStats returns Σt, Σt² and Σt·v for t = sign(d)·√|d|,
	// d = xj − xi (stochastic mode: scVelo's sqrt_transform).
	sqrtDiffStats = sqrtDiffStatsGo
	// diffStats returns Σd² and Σd·v for d = xj − xi (the inputs are
	// already centred per cell, so d is the centred displacement).
	diffStats = diffStatsGo
)

// padWidth is the multiple gene vectors are padded to.
const padWidth = 16

func padded(g int) int { return (g + padWidth - 1) / padWidth * padWidth }

func sqrtDiffStatsGo(xi, xj, v []float32) (s, ss, dot float64) {
	xj = xj[:len(xi)]
	v = v[:len(xi)]
	for k, a := range xi {
		d := float64(xj[k] - a)
		t := float64(float32(math.Copysign(math.Sqrt(math.Abs(d)), d)))
		s += t
		ss += t * t
		dot += t * float64(v[k])
	}
	return s, ss, dot
}

func diffStatsGo(xi, xj, v []float32) (ss, dot float64) {
	xj = xj[:len(xi)]
	v = v[:len(xi)]
	for k, a := range xi {
		d := float64(xj[k] - a)
		ss += d * d
		dot += d * float64(v[k])
	}
	return ss, dot
}
