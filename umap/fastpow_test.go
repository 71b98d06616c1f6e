package umap

import (
	"math"
	"testing"
)

func TestPowPosExact(t *testing.T) {
	// Exact answers, including subnormal inputs (math.Pow itself is
	// inaccurate there, so it cannot serve as the reference).
	for _, c := range []struct{ x, y, want float64 }{
		{5e-324, 0.5, 0x1p-537}, {math.Float64frombits(1 << 40), 0.25, math.Sqrt(0x1p-517)}, {0x1p-1022, 0.5, 0x1p-511},
		{0.5, 2, 0.25}, {1, 1.3342, 1}, {2, 3, 8}, {0x1p100, 0.01, 2}, {0x1p1023, 0.5, math.Sqrt(0x1p1023)},
	} {
		if got := powPos(c.x, c.y); math.Abs(got-c.want) > 3e-7*c.want {
			t.Errorf("powPos(%g, %g) = %.10g, want %.10g", c.x, c.y, got, c.want)
		}
	}
}

func TestPowPos(t *testing.T) {
	// Compared with math.Pow over the range the SGD meets: squared distances
	// from 1e-30 to 1e12 and umap's exponents b (and b − 1). 3e-7 is float32
	// precision, at which umap-learn computes.
	worst := 0.0
	check := func(x, y float64) {
		want := math.Pow(x, y)
		got := powPos(x, y)
		rel := math.Abs(got-want) / want
		worst = max(worst, rel)
		if !(rel < 3e-7) {
			t.Errorf("powPos(%g, %g) = %g, math.Pow gives %g (relative error %.2g)", x, y, got, want, rel)
		}
	}
	for _, y := range []float64{0.3, 0.7915, 0.8951, 1, 1.3342, 2.5} {
		for _, x := range []float64{1e-30, 1e-8, 0.001, 0.5, 0.7071067811865476,
			0.7071067811865475, 1, 1.0000001, 1.4142135623730951, 1.5, 2, 3.7, 10, 123.456, 1e6, 1e12} {
			check(x, y)
		}
	}
	for x := 1e-6; x < 1e6; x *= 1.0137 {
		check(x, 1.3342)
	}
	t.Logf("largest relative error %.2g", worst)
	// Results below the smallest normal number flush to zero, harmless for
	// the gradients they enter.
	if got := powPos(1e-300, 2.5); got != 0 {
		t.Errorf("powPos(1e-300, 2.5) = %g, want 0", got)
	}
}
