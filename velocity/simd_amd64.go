//go:build amd64 && !purego

package velocity

import "golang.org/x/sys/cpu"

// haveAVX2 selects the vectorised transpose and division.
var haveAVX2 = cpu.X86.HasAVX2

// transpose8 writes dst[c·dstStride + r] = src[r·srcStride + c] for c < 8
// and r < rows; rows whose count is not a multiple of 8 are left to the
// caller, and the number done is returned.
func transpose8(dst []float32, dstStride int, src []float32, srcStride, rows int) int {
	rows &^= 7
	if !haveAVX2 || rows == 0 {
		return 0
	}
	_, _ = dst[7*dstStride+rows-1], src[(rows-1)*srcStride+7]
	transpose8AVX(&dst[0], dstStride, &src[0], srcStride, rows)
	return rows
}

//go:noescape
func transpose8AVX(dst *float32, dstStride int, src *float32, srcStride int, rows int)

// divide sets dst[i] = float64(src[i]) / d for every i < len(src).
func divide(dst []float64, src []float32, d float64) {
	dst = dst[:len(src)]
	if haveAVX2 {
		divideAVX(dst, src, d)
		return
	}
	divideGo(dst, src, d)
}

//go:noescape
func divideAVX(dst []float64, src []float32, d float64)
