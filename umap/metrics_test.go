package umap

import (
	"math"
	"slices"
)

// Layout quality measures used by the tests.

// nearestCentroidAccuracy returns the fraction of points whose nearest
// cluster centroid (in the n×2 layout pos) is their own cluster's.
func nearestCentroidAccuracy(pos []float32, label []int) float64 {
	c := slices.Max(label) + 1
	cx := make([]float64, c)
	cy := make([]float64, c)
	cnt := make([]float64, c)
	for i, l := range label {
		cx[l] += float64(pos[2*i])
		cy[l] += float64(pos[2*i+1])
		cnt[l]++
	}
	for l := range cx {
		cx[l] /= cnt[l]
		cy[l] /= cnt[l]
	}
	hits := 0
	for i, l := range label {
		best, bestD := -1, math.Inf(1)
		for m := range cx {
			dx, dy := float64(pos[2*i])-cx[m], float64(pos[2*i+1])-cy[m]
			if d := dx*dx + dy*dy; d < bestD {
				best, bestD = m, d
			}
		}
		if best == l {
			hits++
		}
	}
	return float64(hits) / float64(len(label))
}

// nearest2D returns every point's k nearest other points in the layout
// (brute force).
func nearest2D(pos []float32, k int) [][]int32 {
	n := len(pos) / 2
	out := make([][]int32, n)
	type cand struct {
		d float64
		j int32
	}
	best := make([]cand, 0, k)
	for i := 0; i < n; i++ {
		best = best[:0]
		for j := 0; j < n; j++ {
			if j == i {
				continue
			}
			dx, dy := float64(pos[2*i]-pos[2*j]), float64(pos[2*i+1]-pos[2*j+1])
			c := cand{dx*dx + dy*dy, int32(j)}
			if len(best) == k && c.d >= best[k-1].d {
				continue
			}
			if len(best) < k {
				best = append(best, c)
			} else {
				best[k-1] = c
			}
			for q := len(best) - 1; q > 0 && best[q].d < best[q-1].d; q-- {
				best[q], best[q-1] = best[q-1], best[q]
			}
		}
		for _, c := range best {
			out[i] = append(out[i], c.j)
		}
	}
	return out
}

// neighbourhoodPreservation returns the mean over points of the fraction of
// a point's neighbours in a that are also its neighbours in b.
func neighbourhoodPreservation(a, b [][]int32) float64 {
	var sum float64
	for i := range a {
		shared := 0
		for _, j := range a[i] {
			if slices.Contains(b[i], j) {
				shared++
			}
		}
		sum += float64(shared) / float64(len(a[i]))
	}
	return sum / float64(len(a))
}
