package velocity

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"

	"github.com/velo-rna/velo/anndata"
	"github.com/velo-rna/velo/array"
	"github.com/velo-rna/velo/preprocess"
)

// synthetic builds an AnnData shaped like a moments() result: cells along a
// pseudotime, genes whose unspliced level follows γ·s with induction and
// repression deviations, sparse normalised spliced/unspliced layers, a
// symmetric kNN graph on pseudotime, and Ms/Mu smoothed over it. Gene 0 is
// all zeros and gene 1 has 97 % zeros, so the edge cases ride along.
func synthetic(n, g int, seed uint64) *anndata.AnnData {
	r := rand.New(rand.NewPCG(seed, 99))
	time := make([]float64, n)
	for i := range time {
		time[i] = r.Float64()
	}
	s := array.NewDense(n, g)
	u := array.NewDense(n, g)
	for j := 0; j < g; j++ {
		gamma := 0.05 + 1.5*r.Float64()
		scale := 0.5 + 20*r.Float64()
		phase := r.Float64()
		zeros := 0.8 * r.Float64()
		if j == 1 {
			zeros = 0.97
		}
		for i := 0; i < n; i++ {
			if j == 0 || r.Float64() < zeros {
				continue
			}
			tt := math.Mod(time[i]+phase, 1)
			sv := scale * (0.2 + math.Sin(math.Pi*tt))
			uv := gamma*sv + 0.4*scale*math.Cos(math.Pi*tt)*gamma + 0.2*scale*gamma*r.NormFloat64()
			s.Set(i, j, float32(math.Max(0, sv*(1+0.2*r.NormFloat64()))))
			u.Set(i, j, float32(math.Max(0, uv)))
		}
	}
	graph := knnOnLine(time, 10)
	w := preprocess.ConnectivityWeights(graph)
	a := anndata.New(names("cell", n), names("gene", g))
	a.Layers["spliced"] = s.ToCSR()
	a.Layers["unspliced"] = u.ToCSR()
	a.Layers["Ms"] = preprocess.Smooth(w, a.Layers["spliced"], 1)
	a.Layers["Mu"] = preprocess.Smooth(w, a.Layers["unspliced"], 1)
	a.Obsp["connectivities"] = graph
	return a
}

func names(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s%d", prefix, i)
	}
	return out
}

// knnOnLine connects every cell with its k nearest cells in pseudotime,
// symmetrised, with connectivity values in (0, 1].
func knnOnLine(time []float64, k int) *array.CSR {
	n := len(time)
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	sort.Slice(order, func(a, b int) bool { return time[order[a]] < time[order[b]] })
	rows := make([]map[int]float32, n)
	for i := range rows {
		rows[i] = map[int]float32{}
	}
	for rank, i := range order {
		for off := -k / 2; off <= k/2; off++ {
			if off == 0 || rank+off < 0 || rank+off >= n {
				continue
			}
			j := order[rank+off]
			v := float32(1 / (1 + math.Abs(float64(off))))
			rows[i][j], rows[j][i] = v, v
		}
	}
	m := array.NewCSR(n, n)
	for i, row := range rows {
		cols := make([]int, 0, len(row))
		for j := range row {
			cols = append(cols, j)
		}
		sort.Ints(cols)
		for _, j := range cols {
			m.Indices = append(m.Indices, int32(j))
			m.Data = append(m.Data, row[j])
		}
		m.Indptr[i+1] = int64(len(m.Indices))
	}
	return m
}
