package graph

import "math"

// The cosine kernels compare cell i with candidate j over gene vectors xi,
// xj (the expression state) and v (cell i's velocity); all three have the
// length of xi, v may be longer. Rows are read in place from the layers, so
// lengths are not padded: the vector implementations run blocks of
// kernelBlock genes and finish the rest as one more zero-padded block
// (diffStats, without square roots, in scalar code).
//
// On amd64 with AVX2 and FMA the sums run in float32 SIMD lanes (scVelo
// computes in float32 too); elsewhere the portable versions below
// accumulate in float64. Either way results for a given machine do not
// depend on the number of threads.
var (
	// sqrtDiffStats returns Σt, Σt² and Σt·v for t = sign(d)·√|d|,
	// d = xj − xi (stochastic mode: scVelo's sqrt_transform). padded
	// says that the three slices' storage continues with zeros up to the
	// next multiple of kernelBlock; it never changes the result.
	sqrtDiffStats = sqrtDiffStatsGo
	// diffStats returns Σd² and Σd·v for d = xj − xi − delta (with delta
	// the difference of the two cells' mean expressions, d is the centred
	// displacement).
	diffStats = diffStatsGo
)

// kernelBlock is the number of genes one iteration of the vector kernels
// handles.
const kernelBlock = 16

func sqrtDiffStatsGo(xi, xj, v []float32, _ bool) (s, ss, dot float64) {
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

func diffStatsGo(xi, xj, v []float32, delta float32) (ss, dot float64) {
	xj = xj[:len(xi)]
	v = v[:len(xi)]
	for k, a := range xi {
		d := float64((xj[k] - a) - delta)
		ss += d * d
		dot += d * float64(v[k])
	}
	return ss, dot
}
