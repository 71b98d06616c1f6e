package graph

import (
	"context"
	"fmt"
	"os"
	"testing"

	"github.com/velo-rna/velo/anndata"
	"github.com/velo-rna/velo/format/h5ad"
)

// BenchmarkVelocityEmbedding, BenchmarkVelocityConfidence and
// BenchmarkVelocityPseudotime time the steps after the graph on scVelo's
// pancreas reference (needs VELO_TESTDATA) and on the synthetic
// 100 000-cell lattice of BenchmarkVelocityGraph. The pseudotime includes
// the terminal states, as in the pipeline.
func BenchmarkVelocityEmbedding(b *testing.B) {
	benchStage(b, func(ctx context.Context, a *anndata.AnnData) error {
		return VelocityEmbedding(ctx, a, EmbeddingOptions{Basis: "umap"})
	})
}

func BenchmarkVelocityConfidence(b *testing.B) {
	benchStage(b, func(ctx context.Context, a *anndata.AnnData) error {
		return VelocityConfidence(ctx, a, ConfidenceOptions{})
	})
}

func BenchmarkVelocityPseudotime(b *testing.B) {
	benchStage(b, func(ctx context.Context, a *anndata.AnnData) error {
		a.Obs.Delete("root_cells")
		a.Obs.Delete("end_points")
		return VelocityPseudotime(ctx, a, PseudotimeOptions{})
	})
}

func benchStage(b *testing.B, stage func(context.Context, *anndata.AnnData) error) {
	inputs := []struct {
		name string
		make func(testing.TB) *anndata.AnnData
	}{
		{"cells=3696/genes=328", func(tb testing.TB) *anndata.AnnData { a, _ := pancreasInput(tb, "stochastic"); return a }},
		{"cells=100000/genes=330", func(testing.TB) *anndata.AnnData { return synthGrid(50, 50, 40, 330, "stochastic", 1) }},
	}
	for _, in := range inputs {
		b.Run(in.name, func(b *testing.B) {
			a := in.make(b)
			ctx := context.Background()
			if err := VelocityGraph(ctx, a, GraphOptions{}); err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if err := stage(ctx, a); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkOutputFile times every step on an AnnData file holding velo's
// output (layers Ms and velocity, obsp distances and connectivities, obsm
// X_pca and X_umap), named by VELO_BENCH_H5AD; e.g. the simulated
// 100 000-cell data set. Skipped when the variable is unset.
func BenchmarkOutputFile(b *testing.B) {
	path := os.Getenv("VELO_BENCH_H5AD")
	if path == "" {
		b.Skip("VELO_BENCH_H5AD is not set")
	}
	a, err := h5ad.Read(path)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	size := fmt.Sprintf("cells=%d/genes=%d", a.NObs(), a.NVars())
	for _, s := range []struct {
		name string
		run  func() error
	}{
		{"graph", func() error { return VelocityGraph(ctx, a, GraphOptions{}) }},
		{"embedding", func() error {
			for _, basis := range []string{"pca", "umap"} {
				if err := VelocityEmbedding(ctx, a, EmbeddingOptions{Basis: basis}); err != nil {
					return err
				}
			}
			return nil
		}},
		{"confidence", func() error { return VelocityConfidence(ctx, a, ConfidenceOptions{}) }},
		{"pseudotime", func() error {
			a.Obs.Delete("root_cells")
			a.Obs.Delete("end_points")
			return VelocityPseudotime(ctx, a, PseudotimeOptions{})
		}},
	} {
		b.Run("stage="+s.name+"/"+size, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				if err := s.run(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
