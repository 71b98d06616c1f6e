package knn

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/velo-rna/velo/array"
)

// pcaLike returns n points in d dimensions with PCA-like decaying
// variances, grouped in clusters.
func pcaLike(seed uint64, n, d int) *array.Dense {
	r := rand.New(rand.NewPCG(seed, 5))
	const clusters = 25
	centres := make([]float64, clusters*d)
	for k := range centres {
		centres[k] = r.NormFloat64() * 6 / math.Sqrt(float64(k%d+1))
	}
	m := array.NewDense(n, d)
	for i := 0; i < n; i++ {
		c := r.IntN(clusters)
		for j := 0; j < d; j++ {
			m.Set(i, j, float32(centres[c*d+j]+r.NormFloat64()*2/math.Sqrt(float64(j+1))))
		}
	}
	return m
}

func BenchmarkExact(b *testing.B) {
	for _, n := range []int{3696, 100000} {
		data := pcaLike(1, n, 30)
		b.Run(fmt.Sprintf("cells=%d/dims=30/k=30", n), func(b *testing.B) {
			for b.Loop() {
				if _, err := Exact(context.Background(), data, 30, 0); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkConnectivities(b *testing.B) {
	r, err := Exact(context.Background(), pcaLike(2, 3696, 30), 30, 0)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("cells=3696/k=30", func(b *testing.B) {
		for b.Loop() {
			Connectivities(r, 0)
		}
	})
}

func BenchmarkApproximate(b *testing.B) {
	for _, n := range []int{20000, 100000} {
		if n > 20000 && testing.Short() {
			continue
		}
		data := pcaLike(1, n, 30)
		b.Run(fmt.Sprintf("cells=%d", n), func(b *testing.B) {
			for b.Loop() {
				if _, err := Approximate(context.Background(), data, 30, ApproxOptions{Seed: 1}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
