//go:build amd64 && !purego

package preprocess

import "golang.org/x/sys/cpu"

// haveFMA selects the AVX2/FMA kernels. In the PCA kernels one 256-bit
// fused multiply-add handles a 4-column row of P or W, several times fewer
// instructions than the scalar loops; results differ from the scalar
// kernels only by the rounding of fused multiply-adds, and never with the
// number of threads. The float32 axpy of the moments uses AVX2 without
// fusion and is bit-identical to the scalar loop.
var haveFMA = cpu.X86.HasAVX2 && cpu.X86.HasFMA

// gather4 adds Σ_t val[t]·P[idx[t], :] to z for a 4-column P. Every
// idx[t] must be a row of p (gramKernel checks the matrix once).
func gather4(z *[4]float64, idx []int32, val []float32, p []float64) {
	if haveFMA {
		gather4AVX(z, idx, val[:len(idx)], p)
		return
	}
	gather4Go(z, idx, val, p)
}

// scatter4 adds val[t]·z to row idx[t] of the 4-column w for every t.
func scatter4(w []float64, idx []int32, val []float32, z *[4]float64) {
	if haveFMA {
		scatter4AVX(w, idx, val[:len(idx)], z)
		return
	}
	scatter4Go(w, idx, val, z)
}

//go:noescape
func gather4AVX(z *[4]float64, idx []int32, val []float32, p []float64)

//go:noescape
func scatter4AVX(w []float64, idx []int32, val []float32, z *[4]float64)

// axpy32 adds alpha·x to y (len(y) ≥ len(x)), rounding the product and the
// sum separately in float32 as scipy's sparse product does.
func axpy32(alpha float32, x, y []float32) {
	if haveFMA {
		axpy32AVX(alpha, x, y[:len(x)])
		return
	}
	axpy32Go(alpha, x, y)
}

//go:noescape
func axpy32AVX(alpha float32, x, y []float32)
