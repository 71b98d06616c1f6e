package graph

import (
	"context"
	"fmt"
	"testing"

	"github.com/velo-rna/velo/anndata"
)

// BenchmarkVelocityGraph times the graph on scVelo's pancreas reference
// (3696 cells, 328 velocity genes, ~200 candidates per cell; needs
// VELO_TESTDATA) and on a synthetic 100 000-cell lattice with 330 genes and
// the same neighbourhood sizes (29 stored neighbours, ~230 candidates).
func BenchmarkVelocityGraph(b *testing.B) {
	for _, mode := range []string{"stochastic", "deterministic"} {
		b.Run(fmt.Sprintf("mode=%s/cells=3696", mode), func(b *testing.B) {
			in, _ := pancreasInput(b, mode)
			benchGraph(b, in)
		})
	}
	for _, mode := range []string{"stochastic", "deterministic"} {
		b.Run(fmt.Sprintf("mode=%s/cells=100000", mode), func(b *testing.B) {
			benchGraph(b, synthGrid(50, 50, 40, 330, mode, 1))
		})
	}
}

func benchGraph(b *testing.B, a *anndata.AnnData) {
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := VelocityGraph(context.Background(), a, GraphOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}
