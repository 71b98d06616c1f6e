//go:build amd64 && !purego

package graph

import (
	"math"

	"golang.org/x/sys/cpu"
)

func init() {
	if cpu.X86.HasAVX2 && cpu.X86.HasFMA {
		axpyF32 = axpyF32SIMD
		dotF32 = dotF32SIMD
	}
}

//go:noescape
func axpyF32AVX2(dst *float64, x *float32, a float64, n int)

//go:noescape
func dotF32AVX2(a, b *float32, n int) float64

func axpyF32SIMD(dst []float64, a float64, x []float32) {
	n := len(dst)
	x = x[:n]
	m := n &^ 7
	if m > 0 {
		axpyF32AVX2(&dst[0], &x[0], a, m)
	}
	for k := m; k < n; k++ {
		dst[k] = math.FMA(a, float64(x[k]), dst[k])
	}
}

func dotF32SIMD(a, b []float32) float64 {
	n := len(a)
	b = b[:n]
	m := n &^ 7
	var s float64
	if m > 0 {
		s = dotF32AVX2(&a[0], &b[0], m)
	}
	for k := m; k < n; k++ {
		s += float64(a[k]) * float64(b[k])
	}
	return s
}
