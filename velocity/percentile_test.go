package velocity

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// The expected values follow numpy's linear method by hand: position
// (n−1)·p/100, then a + (b−a)·t, or b − (b−a)·(1−t) when t ≥ 0.5.
func TestPercentileHandValues(t *testing.T) {
	tests := []struct {
		name string
		data []float64
		p    float64
		want float64
	}{
		{"p95 of 1..4", []float64{4, 1, 3, 2}, 95, 3.85},
		{"p5 of 1..4", []float64{4, 1, 3, 2}, 5, 1.15},
		{"median of 1..4 uses the upper form", []float64{1, 2, 3, 4}, 50, 2.5},
		{"p100 is the maximum", []float64{3, 9, 1}, 100, 9},
		{"p0 is the minimum", []float64{3, 9, 1}, 0, 1},
		{"single value", []float64{7}, 95, 7},
		{"ties at the bound", []float64{1, 1, 1, 2, 2, 2, 2, 2, 2, 2}, 50, 2},
		{"p95 of 100 distinct values", seq(100), 95, 94.05},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := percentile(tc.data, make([]float64, len(tc.data)), tc.p)
			if math.Abs(got-tc.want) > 1e-12 {
				t.Errorf("percentile = %v, want %v", got, tc.want)
			}
		})
	}
}

func seq(n int) []float64 {
	x := make([]float64, n)
	for i := range x {
		x[i] = float64(i)
	}
	return x
}

// numpy rounds b − a to the data's precision before interpolating: for
// float32 1e-8 and 1 the difference is exactly 1, so the median is 0.5, not
// 0.500000005.
func TestPercentileFloat32Difference(t *testing.T) {
	data := []float32{1, 1e-8}
	got := percentile(data, make([]float32, 2), 50)
	if got != 0.5 {
		t.Errorf("percentile = %.12g, want 0.5", got)
	}
}

func TestPercentileNaN(t *testing.T) {
	data := []float32{1, float32(math.NaN()), 3}
	if got := percentile(data, make([]float32, 3), 95); !math.IsNaN(got) {
		t.Errorf("percentile with NaN = %v, want NaN", got)
	}
}

func TestPercentileDoesNotModifyInput(t *testing.T) {
	data := []float32{5, 3, 9, 1}
	orig := slices.Clone(data)
	percentile(data, make([]float32, 4), 95)
	if !slices.Equal(data, orig) {
		t.Errorf("input changed to %v", data)
	}
}

// percentile against sorting, on data with few and many distinct values, in
// random, sorted and reversed order, below and above the size where the
// sampled bracket is used.
func TestPercentileMatchesSorting(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for trial := 0; trial < 600; trial++ {
		n := 1 + r.IntN(500)
		switch {
		case trial%10 == 9:
			n = largeSample + r.IntN(30000)
		case trial%2 == 1:
			n = sampleMin + r.IntN(4000)
		}
		levels := 1 + r.IntN(n+1)
		zeros := r.Float64()
		x := make([]float32, n)
		for i := range x {
			if r.Float64() < zeros {
				continue // many zeros, as in sparse genes
			}
			x[i] = float32(r.IntN(levels)) * 0.37
		}
		switch trial % 6 {
		case 2, 3:
			slices.Sort(x)
		case 4, 5:
			slices.Sort(x)
			slices.Reverse(x)
		}
		ps := []float64{r.Float64() * 100, 95, 5, 97.5, 2.5, 80, 100, 0}
		sorted := slices.Clone(x)
		slices.Sort(sorted)
		for _, p := range ps {
			lo, hi, tt := virtualIndex(n, p)
			want := lerp(sorted[lo], sorted[hi], tt)
			got := percentile(x, make([]float32, n), p)
			if got != want {
				t.Fatalf("trial %d (n=%d, p=%v): percentile = %v, sorting gives %v", trial, n, p, got, want)
			}
		}
	}
}

func TestPercentileNaNLarge(t *testing.T) {
	for _, n := range []int{1000, largeSample + 100} {
		for _, pos := range []int{0, 1, 700, 999, n - 1} {
			x := make([]float32, n)
			for i := range x {
				x[i] = float32(i)
			}
			x[pos] = float32(math.NaN())
			for _, p := range []float64{5, 95} {
				if got := percentile(x, make([]float32, len(x)), p); !math.IsNaN(got) {
					t.Errorf("n = %d, NaN at %d, p=%v: percentile %v, want NaN", n, pos, p, got)
				}
			}
		}
	}
}

func TestSelectKthAdversarial(t *testing.T) {
	// Organ-pipe and constant inputs must not degrade (the budget falls back
	// to sorting) and must still place the k-th value.
	n := 5000
	x := make([]float64, n)
	for i := range x {
		x[i] = float64(min(i, n-1-i))
	}
	want := slices.Clone(x)
	slices.Sort(want)
	for _, k := range []int{0, n / 2, n - 1, 4750} {
		y := slices.Clone(x)
		selectKth(y, k)
		if y[k] != want[k] {
			t.Errorf("k=%d: got %v, want %v", k, y[k], want[k])
		}
	}
}
