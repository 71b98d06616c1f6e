package preprocess

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/velo-rna/velo/anndata"
	"github.com/velo-rna/velo/array"
)

// names returns prefix0, prefix1, …
func names(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s%d", prefix, i)
	}
	return out
}

// dense builds a dense matrix from rows.
func dense(rows ...[]float32) *array.Dense {
	m := array.NewDense(len(rows), len(rows[0]))
	for i, r := range rows {
		copy(m.Row(i), r)
	}
	return m
}

// newData returns an AnnData with X = spliced + unspliced (as CSR copies)
// and the two layers, all from the given dense counts.
func newData(s, u *array.Dense) *anndata.AnnData {
	a := anndata.New(names("cell", s.Rows), names("gene", s.Cols))
	x := s.Clone()
	for k := range x.Data {
		x.Data[k] += u.Data[k]
	}
	a.X = x.ToCSR()
	a.Layers["spliced"] = s.ToCSR()
	a.Layers["unspliced"] = u.ToCSR()
	return a
}

// randomCounts returns an n × g matrix of counts whose expected values
// follow a few smooth programmes across cells, so it has structure for PCA
// and neighbours. About half the entries are zero.
func randomCounts(seed uint64, n, g int) *array.Dense {
	return programmeCounts(seed, n, g, 6)
}

// programmeCounts draws Poisson counts from a log-linear model with the
// given number of latent factors per cell, of strengths decaying with
// their rank, so the log counts have a gradually decaying spectrum like
// real data. Means are around 1, so about half the entries are zero.
func programmeCounts(seed uint64, n, g, factors int) *array.Dense {
	r := rand.New(rand.NewPCG(seed, 99))
	z := make([]float64, n*factors)
	for i := 0; i < n; i++ {
		for f := 0; f < factors; f++ {
			z[i*factors+f] = r.NormFloat64() * math.Pow(0.9, float64(f))
		}
	}
	w := make([]float64, g*factors)
	for k := range w {
		w[k] = r.NormFloat64() * 0.4
	}
	m := array.NewDense(n, g)
	for i := 0; i < n; i++ {
		zi := z[i*factors : (i+1)*factors]
		for j := 0; j < g; j++ {
			var eta float64
			for f, v := range zi {
				eta += v * w[j*factors+f]
			}
			m.Set(i, j, float32(poisson(r, 0.7*math.Exp(eta))))
		}
	}
	return m
}

func poisson(r *rand.Rand, mu float64) int {
	// Knuth's method; mu is small here.
	l, p := math.Exp(-mu), 1.0
	for k := 0; ; k++ {
		p *= r.Float64()
		if p <= l {
			return k
		}
	}
}

func nan() float64 { return math.NaN() }

func sprintf(f string, args ...any) string { return fmt.Sprintf(f, args...) }
