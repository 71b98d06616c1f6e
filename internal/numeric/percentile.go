// Package numeric holds small numerical helpers shared by several velo
// packages, written once so that every stage computes them the same way.
package numeric

import (
	"math"
	"slices"
)

// Percentile returns numpy.percentile(x, q) with numpy's default linear
// method: the value at position (n−1)·q/100 of the sorted data,
// interpolated the way numpy's _lerp does (from the upper neighbour when the
// fraction is at least one half). Empty input or NaN in x gives NaN; x is
// not modified.
func Percentile(x []float64, q float64) float64 {
	if len(x) == 0 {
		return math.NaN()
	}
	s := slices.Clone(x)
	for _, v := range s {
		if v != v {
			return math.NaN()
		}
	}
	slices.Sort(s)
	pos := float64(len(s)-1) * q / 100
	if pos <= 0 {
		return s[0]
	}
	lo := int(math.Floor(pos))
	if lo >= len(s)-1 {
		return s[len(s)-1]
	}
	t := pos - float64(lo)
	a, b := s[lo], s[lo+1]
	d := b - a
	if t >= 0.5 {
		return b - d*(1-t)
	}
	return a + d*t
}
