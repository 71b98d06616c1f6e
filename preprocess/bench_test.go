package preprocess

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/velo-rna/velo/anndata"
	"github.com/velo-rna/velo/array"
)

// Benchmarks at the size of the pancreas data set (3696 cells, 2000 genes
// before and 1126 after filtering) and at 10 000 cells, on synthetic inputs
// built outside the timer.

func BenchmarkPCA(b *testing.B) {
	for _, n := range []int{3696, 10000} {
		const g = 1126
		c := programmeCounts(21, n, g, 60)
		a := anndata.New(names("c", n), names("g", g))
		for k, v := range c.Data {
			c.Data[k] = float32(math.Log1p(float64(v)))
		}
		a.X = c.ToCSR()
		b.Run(fmt.Sprintf("cells=%d/genes=%d", n, g), func(b *testing.B) {
			for b.Loop() {
				if err := PCA(context.Background(), a, PCAOptions{Recompute: true}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// pcaLike returns n points in 30 dimensions with PCA-like decaying
// variances, grouped in a few clusters.
func pcaLike(seed uint64, n int) *array.Dense {
	r := rand.New(rand.NewPCG(seed, 5))
	const d, clusters = 30, 8
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

func BenchmarkNeighbors(b *testing.B) {
	const n = 3696
	a := anndata.New(names("c", n), names("g", 60))
	a.Obsm["X_pca"] = pcaLike(22, n)
	b.Run(fmt.Sprintf("cells=%d", n), func(b *testing.B) {
		for b.Loop() {
			if err := Neighbors(context.Background(), a, NeighborsOptions{}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// momentsData returns normalised layers of n cells × g genes with a
// 30-neighbour graph.
func momentsData(b *testing.B, n, g int) *anndata.AnnData {
	a := newData(randomCounts(23, n, g), randomCounts(24, n, g))
	a.Obsm["X_pca"] = pcaLike(25, n)
	ctx := context.Background()
	if err := NormalizePerCell(ctx, a, NormalizePerCellOptions{}); err != nil {
		b.Fatal(err)
	}
	if err := Neighbors(ctx, a, NeighborsOptions{}); err != nil {
		b.Fatal(err)
	}
	return a
}

func BenchmarkMoments(b *testing.B) {
	for _, n := range []int{3696, 10000} {
		const g = 1126
		a := momentsData(b, n, g)
		b.Run(fmt.Sprintf("cells=%d/genes=%d", n, g), func(b *testing.B) {
			for b.Loop() {
				if err := Moments(context.Background(), a, MomentsOptions{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkSecondOrderMoments(b *testing.B) {
	const n, g = 3696, 1126
	a := momentsData(b, n, g)
	genes := make([]int, 0, g/2)
	for j := 0; j < g; j += 2 {
		genes = append(genes, j)
	}
	b.Run(fmt.Sprintf("cells=%d/genes=%d", n, len(genes)), func(b *testing.B) {
		for b.Loop() {
			if _, _, err := SecondOrderMoments(a, genes, 0); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkFilterAndNormalize(b *testing.B) {
	const n, g = 3696, 2000
	s, u := randomCounts(26, n, g), randomCounts(27, n, g)
	b.Run(fmt.Sprintf("cells=%d/genes=%d", n, g), func(b *testing.B) {
		for b.Loop() {
			b.StopTimer()
			a := newData(s, u)
			b.StartTimer()
			err := FilterAndNormalize(context.Background(), a, FilterAndNormalizeOptions{MinSharedCounts: Int(20), NTopGenes: 1000})
			if err != nil {
				b.Fatal(err)
			}
		}
	})
}
