package plot

import (
	"fmt"
	"io"
	"testing"

	"github.com/velo-rna/velo/grid"
)

// BenchmarkStream times a whole stream figure: the stream-mode grid, the
// streamlines and the PNG at 6 × 5 inches, 150 dpi.
func BenchmarkStream(b *testing.B) {
	for _, n := range []int{3696} {
		b.Run(fmt.Sprintf("cells=%d", n), func(b *testing.B) {
			emb, vemb, col := ring(n, 7)
			for b.Loop() {
				res, err := grid.VelocityOnGrid(emb, vemb, grid.Options{Stream: true})
				if err != nil {
					b.Fatal(err)
				}
				im, err := Stream(emb, col, grid.Streamlines(res, 0), EmbeddingOptions{Basis: "umap"})
				if err != nil {
					b.Fatal(err)
				}
				if err := im.Encode(io.Discard, PNG); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
