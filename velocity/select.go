package velocity

import "fmt"

// minScale is scVelo's lower clip of a gene's maximum before the selection
// score divides by it (LinearRegression._trim_data: max(...).clip(1e-3)), so
// an all-zero gene gets score 0 everywhere instead of 0/0.
const minScale = float32(1e-3)

// FitCells returns the cells scVelo fits a gene's steady-state ratio on
// (LinearRegression._trim_data): with the score
//
//	z = x/max(max x, 1e-3) + y/max(max y, 1e-3)
//
// computed in float32, the cells with z ≥ pct(perc[1]) when fitOffset is
// false (only the upper percentile is used then), and the cells with
// z ≤ pct(perc[0]) or z ≥ pct(perc[1]) when it is true. Percentiles are
// numpy's linear interpolation; ties at a bound are selected, so when at
// least 95 % of the scores are 0 the bound is 0 and every cell is selected.
// x is the spliced abundance (Ms), y the unspliced one (Mu).
func FitCells(x, y []float32, fitOffset bool, perc [2]float64) []bool {
	if len(x) != len(y) {
		panic(fmt.Sprintf("velocity: FitCells with %d x and %d y values", len(x), len(y)))
	}
	sel := make([]bool, len(x))
	if len(x) == 0 {
		return sel
	}
	z := make([]float32, len(x))
	scratch := make([]float32, len(x))
	score(z, x, y)
	extremes(sel, z, scratch, fitOffset, perc, false)
	return sel
}

// score writes scVelo's selection score x/max(x) + y/max(y) into z.
func score(z, x, y []float32) {
	mx, my := clippedMax(x), clippedMax(y)
	for i := range z {
		z[i] = x[i]/mx + y[i]/my
	}
}

// clippedMax is numpy's x.max() clipped below at 1e-3; a NaN propagates.
func clippedMax(x []float32) float32 {
	m := x[0]
	for _, v := range x[1:] {
		if v > m || v != v {
			m = v
		}
		if m != m {
			return m
		}
	}
	if m < minScale {
		m = minScale
	}
	return m
}

// extremes marks the cells whose value lies in the extreme quantiles of z:
// z ≥ pct(perc[1]), or additionally z ≤ pct(perc[0]) when twoSided. With
// union set, marks are added to sel instead of overwriting it. scratch must
// have len(z).
func extremes(sel []bool, z, scratch []float32, twoSided bool, perc [2]float64, union bool) {
	upper := percentile(z, scratch, perc[1])
	var lower float64
	if twoSided {
		lower = percentile(z, scratch, perc[0])
	}
	for i, v := range z {
		in := float64(v) >= upper || (twoSided && float64(v) <= lower)
		if union {
			sel[i] = sel[i] || in
		} else {
			sel[i] = in
		}
	}
}

// stochasticCells returns the first-moment weights of scVelo's stochastic
// fit (leastsq_generalized): the union of the FitCells selection and of the
// cells whose x alone lies in the same extreme quantiles. scratch and z must
// have len(x).
func stochasticCells(sel []bool, x, y, z, scratch []float32, fitOffset bool, perc [2]float64) {
	score(z, x, y)
	extremes(sel, z, scratch, fitOffset, perc, false)
	extremes(sel, x, scratch, fitOffset, perc, true)
}
