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
	selectByScore(sel, z, scratch, x, y, fitOffset, perc)
	return sel
}

// scoreSelection is how a gene's cells were selected by score: the scales
// of the score and the percentile bounds it was cut at. The stochastic
// model selects on the same score again and reuses them.
type scoreSelection struct {
	mx, my float32
	cut    bounds
}

// selectByScore computes the score into z, marks the FitCells selection in
// sel and returns how it was made. scratch must have len(z).
func selectByScore(sel []bool, z, scratch, x, y []float32, fitOffset bool, perc [2]float64) scoreSelection {
	s := scoreSelection{mx: clippedMax(x), my: clippedMax(y)}
	s.score(z, x, y)
	s.cut = extremeBounds(z, scratch, fitOffset, perc)
	s.cut.mark(sel, z, false)
	return s
}

// score writes scVelo's selection score x/max(x) + y/max(y) into z, with
// the maxima of s.
func (s scoreSelection) score(z, x, y []float32) {
	z, y = z[:len(x)], y[:len(x)]
	for i, xi := range x {
		z[i] = xi/s.mx + y[i]/s.my
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

// bounds are the percentile bounds of an extreme-quantile selection: values
// ≥ upper, or also ≤ lower when twoSided.
type bounds struct {
	lower, upper float64
	twoSided     bool
}

// extremeBounds returns the bounds pct(perc[1]) and, when twoSided,
// pct(perc[0]) of z. scratch must have len(z).
func extremeBounds(z, scratch []float32, twoSided bool, perc [2]float64) bounds {
	b := bounds{upper: percentile(z, scratch, perc[1]), twoSided: twoSided}
	if twoSided {
		b.lower = percentile(z, scratch, perc[0])
	}
	return b
}

// mark marks the cells whose value lies within the bounds. With union set,
// marks are added to sel instead of overwriting it.
func (b bounds) mark(sel []bool, z []float32, union bool) {
	sel = sel[:len(z)]
	// One loop per case keeps the common ones (one-sided, overwriting)
	// free of branches.
	switch {
	case !b.twoSided && !union:
		for i, v := range z {
			sel[i] = float64(v) >= b.upper
		}
	case !b.twoSided:
		for i, v := range z {
			sel[i] = sel[i] || float64(v) >= b.upper
		}
	case !union:
		for i, v := range z {
			sel[i] = float64(v) >= b.upper || float64(v) <= b.lower
		}
	default:
		for i, v := range z {
			sel[i] = sel[i] || float64(v) >= b.upper || float64(v) <= b.lower
		}
	}
}

// extremes marks the cells whose value lies in the extreme quantiles of z:
// z ≥ pct(perc[1]), or additionally z ≤ pct(perc[0]) when twoSided. With
// union set, marks are added to sel instead of overwriting it. scratch must
// have len(z).
func extremes(sel []bool, z, scratch []float32, twoSided bool, perc [2]float64, union bool) {
	extremeBounds(z, scratch, twoSided, perc).mark(sel, z, union)
}

// stochasticCells returns the first-moment weights of scVelo's stochastic
// fit (leastsq_generalized): the union of the FitCells selection, made
// again as s describes, and of the cells whose x alone lies in the same
// extreme quantiles. scratch and z must have len(x).
func stochasticCells(sel []bool, x, y, z, scratch []float32, s scoreSelection, fitOffset bool, perc [2]float64) {
	s.score(z, x, y)
	s.cut.mark(sel, z, false)
	extremes(sel, x, scratch, fitOffset, perc, true)
}
