package h5ad

import (
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"testing"

	"github.com/velo-rna/velo/anndata"
	"github.com/velo-rna/velo/array"
	"github.com/velo-rna/velo/internal/testenv"
)

func BenchmarkRead(b *testing.B) {
	b.Run("file=pancreas", func(b *testing.B) {
		path := testenv.Path(b, "data", "pancreas", "pancreas.h5ad")
		for b.Loop() {
			if _, err := Read(path); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// velocityLike returns an AnnData the size of scVelo's pancreas velocity
// output: four dense float32 layers (Ms, Mu, velocity, variance_velocity)
// of seeded normal noise, which compresses about as badly as real ones.
func velocityLike(cells, genes int) *anndata.AnnData {
	obs, vars := make([]string, cells), make([]string, genes)
	for i := range obs {
		obs[i] = fmt.Sprint("cell", i)
	}
	for j := range vars {
		vars[j] = fmt.Sprint("gene", j)
	}
	a := anndata.New(obs, vars)
	r := rand.New(rand.NewPCG(1, 2))
	for _, name := range []string{"Ms", "Mu", "velocity", "variance_velocity"} {
		m := array.NewDense(cells, genes)
		for i := range m.Data {
			m.Data[i] = float32(r.NormFloat64())
		}
		a.Layers[name] = m
	}
	return a
}

func BenchmarkWrite(b *testing.B) {
	const cells, genes = 3696, 1126
	a := velocityLike(cells, genes)
	for _, gz := range []int{0, 1} {
		b.Run(fmt.Sprintf("cells=%d/genes=%d/layers=4/gzip=%d", cells, genes, gz), func(b *testing.B) {
			path := filepath.Join(b.TempDir(), "out.h5ad")
			for b.Loop() {
				if err := WriteWith(path, a, WriteOptions{FloatGzip: gz}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkStream writes a dense layer in 64-column blocks, as the
// pipeline streams velocities, and finishes the file.
func BenchmarkStream(b *testing.B) {
	const cells, genes = 20000, 512
	rest := streamData(cells, genes)
	rest.X, rest.Layers = nil, nil
	block := array.NewDense(cells, streamChunkCols)
	for i := range block.Data {
		block.Data[i] = float32(i)
	}
	b.Run(fmt.Sprintf("cells=%d/genes=%d/block=%d", cells, genes, streamChunkCols), func(b *testing.B) {
		path := filepath.Join(b.TempDir(), "out.h5ad")
		b.SetBytes(int64(cells * genes * 4))
		for b.Loop() {
			s, err := Create(path, cells, genes)
			if err != nil {
				b.Fatal(err)
			}
			for c := 0; c < genes; c += streamChunkCols {
				if err := s.WriteColumns("velocity", c, block); err != nil {
					b.Fatal(err)
				}
			}
			if err := s.Finish(rest); err != nil {
				b.Fatal(err)
			}
		}
	})
}
