package preprocess

import (
	"fmt"
	"math/rand/v2"
	"os"
	"testing"

	"github.com/velo-rna/velo/array"
)

// latticeWeights returns the moment weights of a neighbour graph on the
// points of an a×b×c lattice (each point and the 32 others within distance
// 2), with the points numbered in random order as cells of real data are.
func latticeWeights(seed uint64, a, b, c int) *array.CSR {
	n := a * b * c
	perm := rand.New(rand.NewPCG(seed, 1)).Perm(n)
	at := func(x, y, z int) int { return perm[(x*b+y)*c+z] }
	rows := make([][]int32, n)
	for x := 0; x < a; x++ {
		for y := 0; y < b; y++ {
			for z := 0; z < c; z++ {
				var nb []int32
				for dx := -2; dx <= 2; dx++ {
					for dy := -2; dy <= 2; dy++ {
						for dz := -2; dz <= 2; dz++ {
							X, Y, Z := x+dx, y+dy, z+dz
							if d := dx*dx + dy*dy + dz*dz; d > 4 || X < 0 || Y < 0 || Z < 0 || X >= a || Y >= b || Z >= c {
								continue
							}
							nb = append(nb, int32(at(X, Y, Z)))
						}
					}
				}
				rows[at(x, y, z)] = nb
			}
		}
	}
	g := &array.CSR{Rows: n, Cols: n, Indptr: make([]int64, n+1)}
	for i, nb := range rows {
		sortInt32(nb)
		for _, j := range nb {
			g.Indices = append(g.Indices, j)
			g.Data = append(g.Data, 1)
		}
		g.Indptr[i+1] = int64(len(g.Indices))
	}
	return ConnectivityWeights(g)
}

func sortInt32(x []int32) {
	for i := 1; i < len(x); i++ {
		for j := i; j > 0 && x[j] < x[j-1]; j-- {
			x[j], x[j-1] = x[j-1], x[j]
		}
	}
}

// sparseData returns an n×g CSR matrix with about 30 % non-zero entries
// (the density of normalised spliced counts of simulated data).
func sparseData(seed uint64, n, g int) *array.CSR {
	r := rand.New(rand.NewPCG(seed, 2))
	m := &array.CSR{Rows: n, Cols: g, Indptr: make([]int64, n+1)}
	for i := 0; i < n; i++ {
		for j := 0; j < g; j++ {
			if r.Float32() < 0.3 {
				m.Indices = append(m.Indices, int32(j))
				m.Data = append(m.Data, r.Float32()*4)
			}
		}
		m.Indptr[i+1] = int64(len(m.Indices))
	}
	return m
}

// BenchmarkSmoothBlock smooths one gene block of a large data set the way
// the blocked pipeline does, with prepared weights: at 100 000 cells a
// block holds 671 genes, at a million 64. The million-cell case runs only
// with VELO_BENCH_LARGE set.
func BenchmarkSmoothBlock(b *testing.B) {
	sizes := [][4]int{{50, 50, 40, 671}}
	if os.Getenv("VELO_BENCH_LARGE") != "" {
		sizes = append(sizes, [4]int{100, 100, 100, 64})
	}
	for _, sz := range sizes {
		n, g := sz[0]*sz[1]*sz[2], sz[3]
		w := latticeWeights(31, sz[0], sz[1], sz[2])
		x := sparseData(32, n, g)
		sm := NewSmoother(w)
		genes := make([]int, 0, g)
		for j := 0; j+1 < g; j += 3 {
			genes = append(genes, j, j+1)
		}
		b.Run(fmt.Sprintf("cells=%d/genes=%d", n, g), func(b *testing.B) {
			for b.Loop() {
				sm.Smooth(x, 0)
			}
		})
		b.Run(fmt.Sprintf("product/cells=%d/genes=%d", n, len(genes)), func(b *testing.B) {
			for b.Loop() {
				sm.SmoothProduct(x, x, genes, 0)
			}
		})
		b.Run(fmt.Sprintf("prepare/cells=%d", n), func(b *testing.B) {
			for b.Loop() {
				NewSmoother(w)
			}
		})
	}
}
