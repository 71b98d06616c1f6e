//go:build amd64 && !purego

package preprocess

import "golang.org/x/sys/cpu"

// haveFMA selects the AVX2/FMA kernels. In the PCA kernels one or two
// 256-bit fused multiply-adds handle a 4- or 8-column row of P or W, several times fewer
// instructions than the scalar loops; results differ from the scalar
// kernels only by the rounding of fused multiply-adds, and never with the
// number of threads.
var haveFMA = cpu.X86.HasAVX2 && cpu.X86.HasFMA

// gatherRow adds Σ_t val[t]·P[idx[t], :] to z for a len(z)-column P,
// len(z) 4 or 8. Every idx[t] must be a row of p (gramKernel checks the
// matrix once).
func gatherRow(z []float64, idx []int32, val []float32, p []float64) {
	switch {
	case !haveFMA:
		gatherGo(z, idx, val, p)
	case len(z) == 8:
		gatherBlockAVX((*[8]float64)(z), idx, val[:len(idx)], p)
	default:
		gather4AVX((*[4]float64)(z), idx, val[:len(idx)], p)
	}
}

// scatterRow adds val[t]·z to row idx[t] of the len(z)-column w for every
// t, len(z) 4 or 8.
func scatterRow(w []float64, idx []int32, val []float32, z []float64) {
	switch {
	case !haveFMA:
		scatterGo(w, idx, val, z)
	case len(z) == 8:
		scatterBlockAVX(w, idx, val[:len(idx)], (*[8]float64)(z))
	default:
		scatter4AVX(w, idx, val[:len(idx)], (*[4]float64)(z))
	}
}

//go:noescape
func gatherBlockAVX(z *[8]float64, idx []int32, val []float32, p []float64)

//go:noescape
func scatterBlockAVX(w []float64, idx []int32, val []float32, z *[8]float64)

//go:noescape
func gather4AVX(z *[4]float64, idx []int32, val []float32, p []float64)

//go:noescape
func scatter4AVX(w []float64, idx []int32, val []float32, z *[4]float64)
