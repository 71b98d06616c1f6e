package loom

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/velo-rna/velo/array"
)

// FuzzLoom writes structurally varied loom files (sizes, missing or
// misshapen objects, repeated names, bad values, attribute kinds chosen by
// the fuzzer) and checks that Read never panics and that what it accepts
// is a valid AnnData of the declared shape. libhdf5 itself parses the
// bytes, so the fuzzer varies the structure the reader interprets rather
// than the file's bytes.
func FuzzLoom(f *testing.F) {
	f.Add(uint8(3), uint8(2), uint64(1), uint16(0))
	f.Add(uint8(0), uint8(0), uint64(2), uint16(0))
	f.Add(uint8(5), uint8(7), uint64(3), uint16(0xffff))
	f.Add(uint8(1), uint8(40), uint64(4), uint16(1<<3|1<<6))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, genes, cells uint8, seed uint64, flags uint16) {
		g, c := int(genes%20), int(cells%40)
		rng := rand.New(rand.NewPCG(seed, uint64(flags)))
		flag := func(k int) bool { return flags&(1<<k) != 0 }
		s := spec{layers: map[string][]uint16{}, colAttrs: map[string]any{}, rowAttrs: map[string]any{}, colCols: 2}
		for i := 0; i < g; i++ {
			s.genes = append(s.genes, fmt.Sprintf("g%d", rng.IntN(max(g, 1)))) // repeats likely
		}
		for i := 0; i < c; i++ {
			n := i
			if flag(0) {
				n = rng.IntN(c) // repeated CellIDs
			}
			s.cells = append(s.cells, fmt.Sprintf("s:%dx", n))
		}
		s.matrix = make([]float32, g*c)
		for i := range s.matrix {
			if rng.IntN(3) == 0 {
				s.matrix[i] = float32(rng.IntN(9))
			}
		}
		if flag(1) && len(s.matrix) > 0 {
			s.matrix[rng.IntN(len(s.matrix))] = -1
		}
		if flag(2) && len(s.matrix) > 0 {
			s.matrix[rng.IntN(len(s.matrix))] = float32(math.NaN())
		}
		if flag(3) {
			u := make([]uint16, g*c)
			for i := range u {
				u[i] = uint16(rng.IntN(4))
			}
			s.layers["spliced"] = u
			s.layers["unspliced"] = u
		}
		if flag(4) {
			s.layerShape = []int{c, g}
			s.layers["ambiguous"] = make([]uint16, g*c)
		}
		if flag(5) {
			s.colAttrs["n"] = make([]int64, c+rng.IntN(2))
		}
		if flag(6) {
			s.colAttrs["X_umap"] = make([]float32, 2*c)
		}
		if flag(7) {
			s.rowAttrs["Accession"] = make([]string, g)
		}
		if flag(8) {
			s.rowAttrs["score"] = make([]float64, g)
		}
		switch flags >> 9 & 3 {
		case 1:
			s.skip = "matrix"
		case 2:
			s.skip = "CellID"
		case 3:
			s.skip = "Gene"
		}
		path := filepath.Join(dir, fmt.Sprintf("f%d.loom", rng.Uint64()))
		writeLoom(t, path, s)
		defer os.Remove(path)
		a, err := Read(path, Options{Threads: 1 + int(flags>>11&3)})
		if err != nil {
			return
		}
		if err := a.Validate(); err != nil {
			t.Fatalf("accepted an invalid AnnData: %v", err)
		}
		if a.NObs() != c || a.NVars() != g {
			t.Fatalf("shape %d×%d, file %d cells × %d genes", a.NObs(), a.NVars(), c, g)
		}
		for k, m := range a.Layers {
			if err := array.AsCSR(m).Validate(); err != nil {
				t.Fatalf("layer %s: %v", k, err)
			}
			for _, v := range array.AsCSR(m).Data {
				if !(v > 0) {
					t.Fatalf("layer %s stores %v", k, v)
				}
			}
		}
	})
}
