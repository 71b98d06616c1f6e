package preprocess

import (
	"github.com/velo-rna/velo/array"
	"github.com/velo-rna/velo/internal/parallel"
)

// gramKernel applies the implicitly centred operator A = X − 1μᵀ of an
// n × G matrix to blocks of b = 4 vectors: for a G × 4 block P it returns
// Z = A·P (n × 4) and W = Aᵀ·Z (G × 4), both row-major, in one pass over X.
// Row i contributes z_i = x_i·P − μᵀP to Z and x_iᵀ z_i to XᵀZ; the column
// sums of Z give the centring term of Aᵀ·Z = XᵀZ − μ(1ᵀZ).
//
// Rows are split into chunks whose boundaries depend only on n; each chunk
// accumulates its own share of XᵀZ and the shares are added in chunk order,
// so results are identical for any number of threads.
type gramKernel struct {
	x       array.Matrix
	mu      []float64
	n, g    int
	chunk   int
	wShare  [][]float64 // per chunk: G × 4 share of XᵀZ
	sShare  [][]float64 // per chunk: 4 column sums of Z
	threads int
}

// maxGramChunks bounds the number of per-chunk accumulators.
const maxGramChunks = 64

func newGramKernel(x array.Matrix, mu []float64, threads int) *gramKernel {
	const b = krylovBlock
	n, g := x.Shape()
	chunk := max(256, (n+maxGramChunks-1)/maxGramChunks)
	nc := parallel.Chunks(n, chunk)
	k := &gramKernel{x: x, mu: mu, n: n, g: g, chunk: chunk, threads: threads,
		wShare: make([][]float64, nc), sShare: make([][]float64, nc)}
	for c := range k.wShare {
		k.wShare[c] = make([]float64, g*b)
		k.sShare[c] = make([]float64, b)
	}
	return k
}

// apply computes Z = A·P and W = Aᵀ·Z for the G × 4 row-major block p,
// writing into z (n × 4) and w (G × 4).
func (k *gramKernel) apply(p, z, w []float64) {
	const b = krylovBlock
	shift := make([]float64, b) // μᵀP
	for g, m := range k.mu {
		row := p[g*b : g*b+b]
		for q := range shift {
			shift[q] += m * row[q]
		}
	}
	parallel.For(k.n, k.chunk, k.threads, func(c, lo, hi int) {
		ws, ss := k.wShare[c], k.sShare[c]
		clear(ws)
		clear(ss)
		for i := lo; i < hi; i++ {
			zi := (*[4]float64)(z[i*4 : i*4+4])
			for q := range zi {
				zi[q] = -shift[q]
			}
			switch x := k.x.(type) {
			case *array.CSR:
				idx, val := x.RowView(i)
				gather4(zi, idx, val, p)
				scatter4(ws, idx, val, zi)
			case *array.Dense:
				row := x.Row(i)
				gatherDense(zi, row, p)
				scatterDense(ws, row, zi)
			}
			for q, v := range zi {
				ss[q] += v
			}
		}
	})
	clear(w)
	s := make([]float64, b)
	for c := range k.wShare {
		for t, v := range k.wShare[c] {
			w[t] += v
		}
		for q, v := range k.sShare[c] {
			s[q] += v
		}
	}
	for g, m := range k.mu {
		row := w[g*b : g*b+b]
		for q := range row {
			row[q] -= m * s[q]
		}
	}
}

// gather4Go adds Σ_t val[t]·P[idx[t], :] to z for a 4-column P.
func gather4Go(z *[4]float64, idx []int32, val []float32, p []float64) {
	// Two interleaved sets of accumulators halve the add-latency chains
	// that bound this loop.
	z0, z1, z2, z3 := z[0], z[1], z[2], z[3]
	var y0, y1, y2, y3 float64
	val = val[:len(idx)]
	t := 0
	for ; t+2 <= len(idx); t += 2 {
		x, u := float64(val[t]), float64(val[t+1])
		g, h := int(idx[t])*4, int(idx[t+1])*4
		r := p[g : g+4 : g+4]
		s := p[h : h+4 : h+4]
		z0 += x * r[0]
		z1 += x * r[1]
		z2 += x * r[2]
		z3 += x * r[3]
		y0 += u * s[0]
		y1 += u * s[1]
		y2 += u * s[2]
		y3 += u * s[3]
	}
	if t < len(idx) {
		x := float64(val[t])
		g := int(idx[t]) * 4
		r := p[g : g+4 : g+4]
		z0 += x * r[0]
		z1 += x * r[1]
		z2 += x * r[2]
		z3 += x * r[3]
	}
	z[0], z[1], z[2], z[3] = z0+y0, z1+y1, z2+y2, z3+y3
}

// scatter4Go adds val[t]·z to row idx[t] of the 4-column w for every t.
func scatter4Go(w []float64, idx []int32, val []float32, z *[4]float64) {
	z0, z1, z2, z3 := z[0], z[1], z[2], z[3]
	val = val[:len(idx)]
	for t, gi := range idx {
		x := float64(val[t])
		g := int(gi) * 4
		r := w[g : g+4 : g+4]
		r[0] += x * z0
		r[1] += x * z1
		r[2] += x * z2
		r[3] += x * z3
	}
}

// gatherDense adds Σ_g row[g]·P[g, :] to z, skipping zeros.
func gatherDense(z *[4]float64, row []float32, p []float64) {
	for g, v := range row {
		if v == 0 {
			continue
		}
		x := float64(v)
		r := p[g*4 : g*4+4 : g*4+4]
		z[0] += x * r[0]
		z[1] += x * r[1]
		z[2] += x * r[2]
		z[3] += x * r[3]
	}
}

// scatterDense adds row[g]·z to row g of w, skipping zeros.
func scatterDense(w []float64, row []float32, z *[4]float64) {
	for g, v := range row {
		if v == 0 {
			continue
		}
		x := float64(v)
		r := w[g*4 : g*4+4 : g*4+4]
		r[0] += x * z[0]
		r[1] += x * z[1]
		r[2] += x * z[2]
		r[3] += x * z[3]
	}
}
