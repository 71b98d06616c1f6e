package mtx

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// writeCountFile writes a genes × cells integer file the way STARsolo lays
// it out (sorted by cell, then gene) with perCell entries per cell.
func writeCountFile(b *testing.B, path string, genes, cells, perCell int, gz bool) int64 {
	b.Helper()
	rng := rand.New(rand.NewPCG(7, 8))
	var buf []byte
	buf = fmt.Appendf(buf, "%%%%MatrixMarket matrix coordinate integer general\n%%\n%d %d %d\n", genes, cells, cells*perCell)
	step := genes / perCell
	for c := 1; c <= cells; c++ {
		for k := 0; k < perCell; k++ {
			g := k*step + rng.IntN(step) + 1
			buf = strconv.AppendInt(buf, int64(g), 10)
			buf = append(buf, ' ')
			buf = strconv.AppendInt(buf, int64(c), 10)
			buf = append(buf, ' ')
			buf = strconv.AppendInt(buf, int64(rng.IntN(20)+1), 10)
			buf = append(buf, '\n')
		}
	}
	if gz {
		buf = gzipBytes(b, buf)
	}
	if err := os.WriteFile(path, buf, 0o644); err != nil {
		b.Fatal(err)
	}
	return int64(len(buf))
}

func BenchmarkReadMTX(b *testing.B) {
	const genes, cells, perCell = 2000, 100000, 100
	for _, c := range []struct {
		gz      bool
		threads int
	}{{false, 1}, {false, 0}, {true, 0}} {
		name := fmt.Sprintf("cells=%d/genes=%d/nnz=%d/gzip=%v/threads=%d", cells, genes, cells*perCell, c.gz, c.threads)
		b.Run(name, func(b *testing.B) {
			path := filepath.Join(b.TempDir(), "counts.mtx")
			size := writeCountFile(b, path, genes, cells, perCell, c.gz)
			b.SetBytes(size)
			b.ResetTimer()
			for b.Loop() {
				if _, err := ReadMatrix(path, Options{Transpose: true, Threads: c.threads}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
