//go:build !amd64 || purego

package preprocess

// gatherRow adds Σ_t val[t]·P[idx[t], :] to z for a len(z)-column P.
func gatherRow(z []float64, idx []int32, val []float32, p []float64) {
	gatherGo(z, idx, val, p)
}

// scatterRow adds val[t]·z to row idx[t] of the len(z)-column w for every t.
func scatterRow(w []float64, idx []int32, val []float32, z []float64) {
	scatterGo(w, idx, val, z)
}

// axpy32 adds alpha·x to y (len(y) ≥ len(x)), rounding the product and the
// sum separately in float32 as scipy's sparse product does.
func axpy32(alpha float32, x, y []float32) {
	axpy32Go(alpha, x, y)
}
