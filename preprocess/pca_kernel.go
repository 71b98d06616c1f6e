package preprocess

import (
	"github.com/velo-rna/velo/array"
	"github.com/velo-rna/velo/internal/parallel"
)

// gramKernel applies the implicitly centred operator A = X_S − 1μᵀ, X_S
// the columns S of an n × G matrix X, to blocks of b vectors (b = 4 or 8):
// for an |S| × b block P it returns W = Aᵀ·(A·P) in one pass over X. Row i
// gives z_i = x_i·P − μᵀP and contributes x_iᵀ z_i to XᵀZ; the column sums
// of Z give the centring term of Aᵀ·Z = XᵀZ − μ(1ᵀZ).
//
// X is read in place, never copied: P is expanded to all G columns with
// zero rows outside S (adding 0·x changes no sum), and only the rows of S
// are read back from XᵀZ.
//
// Rows are split into chunks whose boundaries depend only on n; each chunk
// accumulates its own share of XᵀZ and the shares are added in chunk order,
// so results are identical for any number of threads.
type gramKernel struct {
	x       array.Matrix
	sel     []int     // S as columns of X; nil means all
	mu      []float64 // |S| column means
	n, g    int       // shape of X
	b       int       // vectors per block
	chunk   int
	pFull   []float64   // G × b expansion of P
	wShare  [][]float64 // per chunk: G × b share of XᵀZ
	sShare  [][]float64 // per chunk: b column sums of Z
	threads int
}

// maxGramChunks bounds the number of per-chunk accumulators.
const maxGramChunks = 64

// wideBlockNNZ is the number of stored values from which the kernel works
// on blocks of 8 vectors instead of 4: about where X (8 bytes a value)
// outgrows the caches, so that a pass costs mostly streaming X from memory
// and fewer, wider passes win. Below it a pass runs from cache, costs in
// proportion to b, and blocks of 4 need fewer vector operations in all. A
// variable so tests can exercise both widths.
var wideBlockNNZ = 4 << 20

// gramChunk is the row chunk of the kernel and of the column moments: it
// depends only on the number of rows.
func gramChunk(n int) int { return max(256, (n+maxGramChunks-1)/maxGramChunks) }

func newGramKernel(x array.Matrix, sel []int, mu []float64, threads int) *gramKernel {
	n, g := x.Shape()
	b := 4
	nnz := n * g
	if c, ok := x.(*array.CSR); ok {
		nnz = c.NNZ()
	}
	if nnz >= wideBlockNNZ {
		b = 8
	}
	chunk := gramChunk(n)
	nc := parallel.Chunks(n, chunk)
	k := &gramKernel{x: x, sel: sel, mu: mu, n: n, g: g, b: b, chunk: chunk, threads: threads,
		pFull: make([]float64, g*b), wShare: make([][]float64, nc), sShare: make([][]float64, nc)}
	for c := range k.wShare {
		k.wShare[c] = make([]float64, g*b)
		k.sShare[c] = make([]float64, b)
	}
	return k
}

// expand copies the |S| × b block p into pFull and returns μᵀP.
func (k *gramKernel) expand(p []float64) [maxBlock]float64 {
	b := k.b
	var shift [maxBlock]float64
	for g, m := range k.mu {
		row := p[g*b : g*b+b]
		for q, v := range row {
			shift[q] += m * v
		}
	}
	if k.sel == nil {
		copy(k.pFull, p)
	} else {
		for g, j := range k.sel {
			copy(k.pFull[j*b:j*b+b], p[g*b:g*b+b])
		}
	}
	return shift
}

// rowTimes sets zi (length b) to x_i·P − μᵀP for the expanded P.
func (k *gramKernel) rowTimes(i int, shift *[maxBlock]float64, zi []float64) {
	for q := range zi {
		zi[q] = -shift[q]
	}
	switch x := k.x.(type) {
	case *array.CSR:
		idx, val := x.RowView(i)
		gatherRow(zi, idx, val, k.pFull)
	case *array.Dense:
		gatherDense(zi, x.Row(i), k.pFull)
	}
}

// apply computes W = Aᵀ·(A·P) for the |S| × b row-major block p, writing
// into w (|S| × b), and A·P into z (n × b) unless z is nil.
func (k *gramKernel) apply(p, w, z []float64) {
	b := k.b
	shift := k.expand(p)
	parallel.For(k.n, k.chunk, k.threads, func(c, lo, hi int) {
		ws, ss := k.wShare[c], k.sShare[c]
		clear(ws)
		clear(ss)
		var buf [maxBlock]float64
		zi := buf[:b]
		for i := lo; i < hi; i++ {
			k.rowTimes(i, &shift, zi)
			if z != nil {
				copy(z[i*b:i*b+b], zi)
			}
			switch x := k.x.(type) {
			case *array.CSR:
				idx, val := x.RowView(i)
				scatterRow(ws, idx, val, zi)
			case *array.Dense:
				scatterDense(ws, x.Row(i), zi)
			}
			for q, v := range zi {
				ss[q] += v
			}
		}
	})
	// Shares are summed into the first one, in chunk order.
	full, s := k.wShare[0], k.sShare[0]
	for c := 1; c < len(k.wShare); c++ {
		for t, v := range k.wShare[c] {
			full[t] += v
		}
		for q, v := range k.sShare[c] {
			s[q] += v
		}
	}
	for g, m := range k.mu {
		j := g
		if k.sel != nil {
			j = k.sel[g]
		}
		row, src := w[g*b:g*b+b], full[j*b:j*b+b]
		for q := range row {
			row[q] = src[q] - m*s[q]
		}
	}
}

// times computes Z = A·P for the |S| × b block p into z (n × b).
func (k *gramKernel) times(p, z []float64) {
	b := k.b
	shift := k.expand(p)
	parallel.For(k.n, k.chunk, k.threads, func(_, lo, hi int) {
		for i := lo; i < hi; i++ {
			k.rowTimes(i, &shift, z[i*b:i*b+b])
		}
	})
}

// gatherGo adds Σ_t val[t]·P[idx[t], :] to z for a len(z)-column P.
func gatherGo(z []float64, idx []int32, val []float32, p []float64) {
	b := len(z)
	val = val[:len(idx)]
	for t, gi := range idx {
		x := float64(val[t])
		r := p[int(gi)*b : int(gi)*b+b]
		for q := range z {
			z[q] += x * r[q]
		}
	}
}

// scatterGo adds val[t]·z to row idx[t] of the len(z)-column w for every t.
func scatterGo(w []float64, idx []int32, val []float32, z []float64) {
	b := len(z)
	val = val[:len(idx)]
	for t, gi := range idx {
		x := float64(val[t])
		r := w[int(gi)*b : int(gi)*b+b]
		for q := range r {
			r[q] += x * z[q]
		}
	}
}

// gatherDense adds Σ_g row[g]·P[g, :] to z, skipping zeros.
func gatherDense(z []float64, row []float32, p []float64) {
	b := len(z)
	for g, v := range row {
		if v == 0 {
			continue
		}
		x := float64(v)
		r := p[g*b : g*b+b]
		for q := range z {
			z[q] += x * r[q]
		}
	}
}

// scatterDense adds row[g]·z to row g of w, skipping zeros.
func scatterDense(w []float64, row []float32, z []float64) {
	b := len(z)
	for g, v := range row {
		if v == 0 {
			continue
		}
		x := float64(v)
		r := w[g*b : g*b+b]
		for q := range r {
			r[q] += x * z[q]
		}
	}
}
