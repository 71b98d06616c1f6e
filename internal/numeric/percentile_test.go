package numeric

import (
	"math"
	"testing"
)

// Expected values are numpy.percentile's (linear method) for these inputs.
func TestPercentileMatchesNumpy(t *testing.T) {
	x := []float64{3, 1, 4, 1, 5, 9, 2, 6}
	cases := []struct{ q, want float64 }{
		{0, 1}, {100, 9}, {50, 3.5}, {95, 7.949999999999999}, {5, 1}, {25, 1.75},
	}
	for _, c := range cases {
		if got := Percentile(x, c.q); math.Abs(got-c.want) > 1e-12 {
			t.Errorf("Percentile(x, %g) = %v, want %v", c.q, got, c.want)
		}
	}
	if x[0] != 3 {
		t.Error("Percentile modified its input")
	}
	if !math.IsNaN(Percentile(nil, 50)) || !math.IsNaN(Percentile([]float64{1, math.NaN()}, 50)) {
		t.Error("empty or NaN input must give NaN")
	}
}
