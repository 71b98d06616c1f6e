package grid

import (
	"math"
	"slices"
)

// linspace is numpy.linspace(start, stop, n) with its exact arithmetic:
// start + i·step, the last point set to stop.
func linspace(start, stop float64, n int) []float64 {
	out := make([]float64, n)
	if n == 1 {
		out[0] = start
		return out
	}
	step := (stop - start) / float64(n-1)
	for i := range out {
		out[i] = float64(i)*step + start
	}
	out[n-1] = stop
	return out
}

// quiverScale is the value scVelo's quiver_autoscale returns for arrows
// (u, v) at points (px, py): matplotlib's automatic quiver scale in the
// closed form of spec §A15.5,
//
//	1.8/(1+2m) · max(10, √n) · mean √((u/Rx)² + (v·ρ/Ry)²),
//
// with Rx, Ry the data ranges, m matplotlib's axes margin and ρ the axes'
// height/width in pixels. It returns NaN when the ranges are degenerate.
func quiverScale(px, py, u, v []float64, aspect float64) float64 {
	rx := slices.Max(px) - slices.Min(px)
	ry := slices.Max(py) - slices.Min(py)
	var sum float64
	for i := range u {
		sum += math.Hypot(u[i]/rx, v[i]*aspect/ry)
	}
	n := float64(len(u))
	return 1.8 / (1 + 2*axesMargin) * math.Max(10, math.Sqrt(n)) * sum / n
}
