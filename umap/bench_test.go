package umap

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/velo-rna/velo/format/h5ad"
	"github.com/velo-rna/velo/internal/testenv"
)

// BenchmarkEmbed lays out synthetic branching-trajectory graphs (30
// neighbours, fuzzy union as scanpy builds it) with the default options:
// 500 epochs up to 10 000 cells, 200 above. cells=3696 matches the pancreas
// data set's size.
func BenchmarkEmbed(b *testing.B) {
	for _, n := range []int{3696, 10000, 100000} {
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

// BenchmarkEmbedPancreas lays out scVelo's pancreas connectivities (needs
// VELO_TESTDATA).
func BenchmarkEmbedPancreas(b *testing.B) {
	ad, err := h5ad.Read(testenv.Path(b, "reference", "pancreas", "preprocessed.h5ad"))
	if err != nil {
		b.Fatal(err)
	}
	g := ad.Obsp["connectivities"]
	b.Run(fmt.Sprintf("cells=%d", g.Rows), func(b *testing.B) {
		for range b.N {
			if _, err := Embed(context.Background(), g, Options{}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkGradKernel evaluates the repulsive gradient of 4096 pairs with
// the dispatched kernel and with the portable one, for offsets as a layout
// of side 20 gives them.
func BenchmarkGradKernel(b *testing.B) {
	rng := rand.New(rand.NewPCG(7, 8))
	dx, dy := make([]float32, 4096), make([]float32, 4096)
	for i := range dx {
		dx[i], dy[i] = float32(40*rng.Float64()-20), float32(40*rng.Float64()-20)
	}
	gx, gy := make([]float32, len(dx)), make([]float32, len(dx))
	k := repulsionParams(0.583, 1.334, 1)
	for _, c := range []struct {
		name string
		fn   func(dx, dy, gx, gy []float32, k *kernelParams)
	}{{"dispatched", gradKernel}, {"portable", gradKernelGo}} {
		b.Run(fmt.Sprintf("%s/pairs=%d", c.name, len(dx)), func(b *testing.B) {
			for range b.N {
				c.fn(dx, dy, gx, gy, k)
			}
		})
	}
}
