//go:build amd64 && !purego

package knn

import "golang.org/x/sys/cpu"

// haveFMA selects the AVX2/FMA kernel for the coordinates beyond the
// leading four, which handles four coordinates per instruction. It rounds
// differently from tailDistGo (fused multiply-adds, two chunk
// accumulators) but keeps its guarantee: the lanes only grow, so the result
// is never below the leading-four sum. Results do not depend on the number
// of threads either way.
var haveFMA = cpu.X86.HasAVX2 && cpu.X86.HasFMA

// tailDist adds the squared differences of qt and pt to the lanes and
// returns the squared distance (l0+l1)+(l2+l3).
func tailDist(l *[4]float64, qt, pt []float32) float64 {
	if haveFMA {
		return tailDistAVX(l, qt, pt[:len(qt)])
	}
	return tailDistGo(l, qt, pt)
}

//go:noescape
func tailDistAVX(l *[4]float64, qt, pt []float32) float64
