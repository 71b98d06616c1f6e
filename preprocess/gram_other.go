//go:build !amd64 || purego

package preprocess

// gather4 adds Σ_t val[t]·P[idx[t], :] to z for a 4-column P.
func gather4(z *[4]float64, idx []int32, val []float32, p []float64) {
	gather4Go(z, idx, val, p)
}

// scatter4 adds val[t]·z to row idx[t] of the 4-column w for every t.
func scatter4(w []float64, idx []int32, val []float32, z *[4]float64) {
	scatter4Go(w, idx, val, z)
}

// axpy32 adds alpha·x to y (len(y) ≥ len(x)), rounding the product and the
// sum separately in float32 as scipy's sparse product does.
func axpy32(alpha float32, x, y []float32) {
	axpy32Go(alpha, x, y)
}
