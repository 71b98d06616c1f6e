//go:build !amd64 || purego

package knn

// tailDist adds the squared differences of qt and pt to the lanes and
// returns the squared distance (l0+l1)+(l2+l3).
func tailDist(l *[4]float64, qt, pt []float32) float64 {
	return tailDistGo(l, qt, pt)
}
