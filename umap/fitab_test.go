package umap

import (
	"math"
	"testing"
)

func TestFitAB(t *testing.T) {
	// Expected values are umap-learn's documented find_ab_params results:
	// scanpy stores a = 0.58303, b = 1.33417 in uns['umap']['params'] for
	// its defaults (min_dist 0.5, spread 1), and a ≈ 1.577, b ≈ 0.8951 are
	// umap-learn's values for its own default min_dist 0.1. Tolerances are the
	// rounding of those published digits.
	cases := []struct {
		name              string
		minDist, spread   float64
		wantA, wantB, tol float64
	}{
		{"scanpy defaults", 0.5, 1, 0.58303, 1.33417, 1e-4},
		{"umap-learn defaults", 0.1, 1, 1.577, 0.8951, 1e-3},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a, b := FitAB(c.minDist, c.spread)
			if math.Abs(a-c.wantA) > c.tol || math.Abs(b-c.wantB) > c.tol {
				t.Errorf("FitAB(%v, %v) = (%.5f, %.5f), want (%.5f, %.5f) ± %g",
					c.minDist, c.spread, a, b, c.wantA, c.wantB, c.tol)
			}
		})
	}
}
