//go:build amd64 && !purego

package graph

import "golang.org/x/sys/cpu"

func init() {
	if cpu.X86.HasAVX2 && cpu.X86.HasFMA {
		sqrtDiffStats = sqrtDiffStatsSIMD
		diffStats = diffStatsSIMD
	}
}

//go:noescape
func sqrtDiffStatsAVX2(xi, xj, v *float32, n int) (s, ss, dot float32)

//go:noescape
func diffStatsAVX2(xi, xj, v *float32, n int) (ss, dot float32)

func sqrtDiffStatsSIMD(xi, xj, v []float32) (s, ss, dot float64) {
	n := checkPadded(xi, xj, v)
	if n == 0 {
		return 0, 0, 0
	}
	a, b, c := sqrtDiffStatsAVX2(&xi[0], &xj[0], &v[0], n)
	return float64(a), float64(b), float64(c)
}

func diffStatsSIMD(xi, xj, v []float32) (ss, dot float64) {
	n := checkPadded(xi, xj, v)
	if n == 0 {
		return 0, 0
	}
	a, b := diffStatsAVX2(&xi[0], &xj[0], &v[0], n)
	return float64(a), float64(b)
}

func checkPadded(xi, xj, v []float32) int {
	n := len(xi)
	if n%padWidth != 0 || len(xj) < n || len(v) < n {
		panic("graph: kernel vectors must be padded to the same multiple of 16")
	}
	return n
}
