//go:build !amd64 || purego

package velocity

// transpose8 leaves every row to the caller's scalar loop.
func transpose8(dst []float32, dstStride int, src []float32, srcStride, rows int) int {
	return 0
}

// divide sets dst[i] = float64(src[i]) / d for every i < len(src).
func divide(dst []float64, src []float32, d float64) {
	divideGo(dst, src, d)
}
