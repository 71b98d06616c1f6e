package parallel

import (
	"math"
	"testing"
)

// A float sum merged per chunk in chunk order must not depend on threads.
func TestForDeterministicMerge(t *testing.T) {
	n := 100003
	x := make([]float64, n)
	for i := range x {
		x[i] = math.Sin(float64(i)) * 1e3
	}
	sum := func(threads int) float64 {
		parts := make([]float64, Chunks(n, 1000))
		For(n, 1000, threads, func(c, lo, hi int) {
			for _, v := range x[lo:hi] {
				parts[c] += v
			}
		})
		var s float64
		for _, p := range parts {
			s += p
		}
		return s
	}
	want := sum(1)
	for _, th := range []int{2, 3, 8} {
		if got := sum(th); math.Float64bits(got) != math.Float64bits(want) {
			t.Fatalf("threads=%d: sum %v differs from single-thread %v", th, got, want)
		}
	}
}

func TestForCoversEveryIndexOnce(t *testing.T) {
	for _, n := range []int{0, 1, 7, 64, 65} {
		seen := make([]int, n)
		For(n, 8, 4, func(_, lo, hi int) {
			for i := lo; i < hi; i++ {
				seen[i]++
			}
		})
		for i, s := range seen {
			if s != 1 {
				t.Fatalf("n=%d: index %d visited %d times", n, i, s)
			}
		}
	}
}
