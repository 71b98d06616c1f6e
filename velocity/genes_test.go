package velocity

import (
	"math"
	"slices"
	"testing"
)

func TestR2(t *testing.T) {
	y := []float32{1, 2, 3, 4}
	tests := []struct {
		name     string
		y, res   []float32
		want     float64
		tolerate float64
	}{
		{"perfect fit", y, []float32{0, 0, 0, 0}, 1, 0},
		{"residual equals deviation from the mean", y, []float32{-1.5, -0.5, 0.5, 1.5}, 0, 1e-15},
		// The ratio 36/5 is formed in float32, as scVelo does.
		{"worse than the mean is negative", y, []float32{3, 3, 3, 3}, 1 - float64(float32(7.2)), 0},
		{"constant y gives 0", []float32{2, 2, 2, 2}, []float32{1, -1, 1, 0}, 0, 0},
		{"all-zero gene gives 0", []float32{0, 0, 0}, []float32{0, 0, 0}, 0, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := R2(tc.y, tc.res); math.Abs(got-tc.want) > tc.tolerate {
				t.Errorf("R2 = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestVelocityGenes(t *testing.T) {
	r2 := []float64{0.5, 0.005, 0.3, 0.4, 0.2, 0.6}
	gamma := []float64{1, 1, 0.005, 0.5, 0.5, 0.7}
	expressed := []bool{true, true, true, true, false, true}
	tests := []struct {
		name     string
		hv       []bool
		minR2    float64
		want     []bool
		fallback bool
	}{
		// gene 1 fails r², gene 2 the ratio, gene 4 expression.
		{"thresholds", nil, 0.01, []bool{true, false, false, true, false, true}, false},
		{"highly variable column applies", []bool{true, true, true, false, true, true}, 0.01, []bool{true, false, false, false, false, true}, false},
		// Only gene 5 passes r² > 0.55. pct80 of r² {0.005, 0.2, 0.3, 0.4,
		// 0.5, 0.6}: position 4 → 0.5, so genes with r² > 0.5.
		{"fallback to r2 above its 80th percentile", nil, 0.55, []bool{false, false, false, false, false, true}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, fb, thr := VelocityGenes(r2, gamma, expressed, tc.hv, tc.minR2, 0.01)
			if !slices.Equal(got, tc.want) || fb != tc.fallback {
				t.Errorf("genes %v fallback %v, want %v %v", got, fb, tc.want, tc.fallback)
			}
			if fb && thr != 0.5 {
				t.Errorf("threshold %v, want 0.5", thr)
			}
		})
	}
	t.Run("fallback may be empty", func(t *testing.T) {
		same := []float64{0.001, 0.001, 0.001}
		got, fb, _ := VelocityGenes(same, []float64{1, 1, 1}, []bool{true, true, true}, nil, 0.01, 0.01)
		if !fb || slices.Contains(got, true) {
			t.Errorf("genes %v fallback %v, want none selected by the fallback", got, fb)
		}
	})
}
