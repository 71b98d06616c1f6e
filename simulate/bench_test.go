package simulate

import (
	"fmt"
	"testing"
)

func BenchmarkSimulate(b *testing.B) {
	for _, size := range []struct{ cells, genes int }{{1000, 300}, {10000, 2000}} {
		opts := Options{Cells: size.cells, Genes: size.genes, Seed: 1}
		b.Run(fmt.Sprintf("cells=%d/genes=%d", size.cells, size.genes), func(b *testing.B) {
			for b.Loop() {
				if _, err := Simulate(opts); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
