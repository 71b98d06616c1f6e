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
