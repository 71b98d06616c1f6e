package umap

import (
	"context"
	"fmt"
	"testing"
)

// BenchmarkEmbed lays out synthetic branching-trajectory graphs (30
// neighbours, fuzzy union as scanpy builds it) with the default options:
// 500 epochs up to 10 000 cells, 200 above. cells=3696 matches the pancreas
// data set's size.
func BenchmarkEmbed(b *testing.B) {
	for _, n := range []int{3696, 100000} {
		b.Run(fmt.Sprintf("cells=%d", n), func(b *testing.B) {
			g := graphOf(trajectory(n, 1), 30)
			b.ReportMetric(float64(g.NNZ()), "entries")
			b.ResetTimer()
			for range b.N {
				if _, err := Embed(context.Background(), g, Options{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
