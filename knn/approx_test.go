package knn

import (
	"context"
	"fmt"
	"math"
	"slices"
	"testing"
	"time"
)

// recall is the share of exact neighbours (the point itself excluded)
// that approx found.
func recall(exact, approx *Result) float64 {
	hit := 0
	for i := 0; i < exact.N; i++ {
		want, _ := exact.Row(i)
		got, _ := approx.Row(i)
		for _, j := range want[1:] {
			if slices.Contains(got[1:], j) {
				hit++
			}
		}
	}
	return float64(hit) / float64(exact.N*(exact.K-1))
}

func TestApproximateRecall(t *testing.T) {
	for _, c := range []struct {
		n, d, k int
		min     float64
	}{
		{n: 20000, d: 30, k: 30, min: 0.95},
		{n: 3000, d: 10, k: 15, min: 0.95},
		{n: 50, d: 5, k: 50, min: 1}, // every point is a neighbour
		{n: 200, d: 3, k: 1, min: 1}, // only the point itself
	} {
		t.Run(fmt.Sprintf("cells=%d/dims=%d/k=%d", c.n, c.d, c.k), func(t *testing.T) {
			data := pcaLike(7, c.n, c.d)
			ex, err := Exact(context.Background(), data, c.k, 0)
			if err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			ap, err := Approximate(context.Background(), data, c.k, ApproxOptions{Seed: 1})
			if err != nil {
				t.Fatal(err)
			}
			elapsed := time.Since(start)
			if ap.N != c.n || ap.K != c.k {
				t.Fatalf("result %d × %d, want %d × %d", ap.N, ap.K, c.n, c.k)
			}
			if c.k > 1 {
				r := recall(ex, ap)
				t.Logf("recall %.4f in %v", r, elapsed)
				if r < c.min {
					t.Errorf("recall %.4f, want ≥ %g", r, c.min)
				}
			}
			for i := 0; i < c.n; i++ {
				idx, dist := ap.Row(i)
				if idx[0] != int32(i) || dist[0] != 0 {
					t.Fatalf("point %d: first neighbour %d at %g, want itself at 0", i, idx[0], dist[0])
				}
				if !slices.IsSorted(dist) {
					t.Fatalf("point %d: distances %v not ascending", i, dist)
				}
				seen := map[int32]bool{}
				for _, j := range idx {
					if seen[j] {
						t.Fatalf("point %d: neighbour %d twice", i, j)
					}
					seen[j] = true
				}
			}
			// Distances of found neighbours are exact: where both lists
			// hold the same neighbour they agree up to the float64 sum's
			// order (Exact sums coordinates by decreasing variance), which
			// float32 rounding hides but for a last-bit tie.
			for i := 0; i < c.n; i++ {
				ei, ed := ex.Row(i)
				ai, ad := ap.Row(i)
				for x, j := range ai {
					if y := slices.Index(ei, j); y >= 0 && math.Abs(float64(ed[y])-float64(ad[x])) > 1e-6*float64(ed[y]) {
						t.Fatalf("point %d, neighbour %d: distance %g, exact %g", i, j, ad[x], ed[y])
					}
				}
			}
		})
	}
}

func TestApproximateThreadsIdentical(t *testing.T) {
	data := pcaLike(3, 6000, 30)
	var runs []*Result
	for _, th := range []int{1, 4} {
		r, err := Approximate(context.Background(), data, 30, ApproxOptions{Seed: 5, Threads: th})
		if err != nil {
			t.Fatal(err)
		}
		runs = append(runs, r)
	}
	if !slices.Equal(runs[0].Indices, runs[1].Indices) || !slices.Equal(runs[0].Distances, runs[1].Distances) {
		t.Error("1 and 4 threads give different neighbours")
	}
	other, err := Approximate(context.Background(), data, 30, ApproxOptions{Seed: 6, Threads: 4})
	if err != nil {
		t.Fatal(err)
	}
	if slices.Equal(runs[0].Indices, other.Indices) {
		t.Error("seeds 5 and 6 give identical neighbours: the seed is not used")
	}
}

func TestApproximateErrors(t *testing.T) {
	data := pcaLike(1, 10, 3)
	for _, k := range []int{0, 11} {
		if _, err := Approximate(context.Background(), data, k, ApproxOptions{}); err == nil {
			t.Errorf("k = %d on 10 points: no error", k)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Approximate(ctx, pcaLike(1, 1000, 5), 10, ApproxOptions{}); err == nil {
		t.Error("cancelled context: no error")
	}
}
