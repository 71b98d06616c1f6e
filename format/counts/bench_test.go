package counts

import (
	"fmt"
	"testing"

	"github.com/velo-rna/velo/internal/testenv"
)

// BenchmarkReadSTARsolo reads the pancreas STARsolo output (gzipped
// spliced, unspliced and ambiguous matrices, 2000 genes × 3696 cells).
func BenchmarkReadSTARsolo(b *testing.B) {
	dir := testenv.Path(b, "data", "pancreas", "starsolo")
	for _, threads := range []int{1, 0} {
		b.Run(fmt.Sprintf("cells=3696/genes=2000/threads=%d", threads), func(b *testing.B) {
			for b.Loop() {
				if _, err := ReadSTARsolo(dir, Options{Threads: threads}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
