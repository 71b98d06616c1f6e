package umap

import (
	"context"
	"math"
	"sort"

	"gonum.org/v1/gonum/mat"
)

// rowChunk is the fixed row-chunk size of every parallel vector operation in
// the eigensolver. Partial sums are merged in chunk order, so results do not
// depend on the number of threads.
const rowChunk = 4096

// symOperator is a symmetric linear operator on float64 vectors of length n.
type symOperator interface {
	size() int
	// apply sets dst = A·src; it may use up to threads goroutines.
	apply(dst, src []float64, threads int)
}

// eigSolver finds the largest eigenpairs of a symmetric operator on the
// orthogonal complement of a known unit eigenvector, by block thick-restart
// Lanczos (the symmetric block Krylov–Schur method) with full
// reorthogonalisation. The basis grows by one matrix–vector product at a
// time from a block of start vectors, so that eigenvalues of multiplicity up
// to the block size are found (a single start vector only ever sees one
// direction of a repeated eigenvalue, e.g. the cos/sin pair of a cycle); the
// projected matrix is diagonalised and on restart the best Ritz vectors are
// kept. Memory is (maxBasis + block)·n float64, never n×n.
type eigSolver struct {
	op         symOperator
	deflate    []float64 // unit vector kept out of the search space
	nev        int       // wanted eigenpairs
	maxBasis   int       // columns of the projected matrix; maxBasis + block ≤ n − 1
	tol        float64   // on ‖A·x − θx‖ for unit Ritz vectors x
	maxMatvecs int
	threads    int
	rng        stream // fresh directions after an exact breakdown

	matvecs int // products used by the last solve
}

// solve returns the nev largest eigenvalues (descending) and their unit
// eigenvectors, starting from the block of vectors starts (overwritten). ok
// is false when they did not reach the tolerance within maxMatvecs products.
func (s *eigSolver) solve(ctx context.Context, starts [][]float64) (vals []float64, vecs [][]float64, ok bool, err error) {
	n := s.op.size()
	b, m := len(starts), s.maxBasis
	if m+b > n-1 || s.nev > m {
		panic("umap: eigensolver basis larger than the search space")
	}
	keep := min(max(s.nev+2, m/2), m-b)

	V := make([][]float64, m+b)
	copy(V, starts)
	for i := b; i < len(V); i++ {
		V[i] = make([]float64, n)
	}
	H := make([][]float64, m+b)
	for i := range H {
		H[i] = make([]float64, m)
	}
	for i := 0; i < b; i++ {
		s.orthogonalise(V[i], V[:i])
		nrm := s.norm(V[i])
		if !(nrm > 0) {
			return nil, nil, false, nil
		}
		s.scale(V[i], 1/nrm)
	}

	k := 0 // columns of H known
	s.matvecs = 0
	for {
		if err := ctx.Err(); err != nil {
			return nil, nil, false, err
		}
		for j := k; j < m; j++ {
			q := j + b
			w := V[q]
			s.op.apply(w, V[j], s.threads)
			s.matvecs++
			h := s.orthogonalise(w, V[:q])
			for i := range h {
				H[i][j] = h[i]
			}
			beta := s.norm(w)
			if beta <= 1e-10 {
				// A·V[j] lies in the basis: continue from a fresh direction,
				// which A·V[j] does not reach (its coefficient is zero).
				for r := range w {
					w[r] = s.rng.normal()
				}
				s.orthogonalise(w, V[:q])
				beta = 0
				if nrm := s.norm(w); nrm > 1e-10 {
					s.scale(w, 1/nrm)
				} else {
					return nil, nil, false, nil
				}
			} else {
				s.scale(w, 1/beta)
			}
			H[q][j] = beta
		}

		theta, S := ritz(H, m)
		// Residual of Ritz vector i: ‖H[m:m+b, :m]·S[:, i]‖.
		coupling := make([][]float64, b)
		converged := true
		for r := range coupling {
			coupling[r] = make([]float64, m)
		}
		for i := 0; i < m; i++ {
			var res float64
			for r := 0; r < b; r++ {
				var c float64
				for col, h := range H[m+r] {
					c += h * S.At(col, i)
				}
				coupling[r][i] = c
				res += c * c
			}
			if i < s.nev && math.Sqrt(res) > s.tol {
				converged = false
			}
		}
		if converged || s.matvecs >= s.maxMatvecs {
			if !converged {
				return nil, nil, false, nil
			}
			s.combine(V[:m], S, s.nev)
			return theta[:s.nev], V[:s.nev], true, nil
		}
		// Thick restart: keep the best Ritz vectors and the outstanding
		// block; their couplings become the new projected matrix.
		s.combine(V[:m], S, keep)
		for r := 0; r < b; r++ {
			V[keep+r], V[m+r] = V[m+r], V[keep+r]
		}
		for i := range H {
			clear(H[i])
		}
		for i := 0; i < keep; i++ {
			H[i][i] = theta[i]
			for r := 0; r < b; r++ {
				H[keep+r][i] = coupling[r][i]
			}
		}
		k = keep
	}
}

// ritz diagonalises the leading p×p block of H (its upper triangle, which
// the Gram–Schmidt coefficients fill) and returns its eigenvalues in
// descending order with the eigenvectors as columns of S in the same order.
func ritz(H [][]float64, p int) ([]float64, *mat.Dense) {
	sym := mat.NewSymDense(p, nil)
	for i := 0; i < p; i++ {
		for j := i; j < p; j++ {
			sym.SetSym(i, j, H[i][j])
		}
	}
	return sortedEigen(sym)
}

// sortedEigen returns the eigenvalues of sym in descending order and the
// matching eigenvectors as columns.
func sortedEigen(sym *mat.SymDense) ([]float64, *mat.Dense) {
	p := sym.SymmetricDim()
	var es mat.EigenSym
	if !es.Factorize(sym, true) {
		panic("umap: symmetric eigendecomposition did not converge")
	}
	vals := es.Values(nil)
	var vecs mat.Dense
	es.VectorsTo(&vecs)
	order := make([]int, p)
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return vals[order[a]] > vals[order[b]] })
	theta := make([]float64, p)
	S := mat.NewDense(p, p, nil)
	for c, o := range order {
		theta[c] = vals[o]
		for r := 0; r < p; r++ {
			S.Set(r, c, vecs.At(r, o))
		}
	}
	return theta, S
}

// combine overwrites V[0..cols-1] with the first cols Ritz vectors
// V·S[:, :cols], row by row so that no second basis is allocated.
func (s *eigSolver) combine(V [][]float64, S *mat.Dense, cols int) {
	p := len(V)
	coef := make([]float64, p*cols)
	for i := 0; i < p; i++ {
		for c := 0; c < cols; c++ {
			coef[i*cols+c] = S.At(i, c)
		}
	}
	parallelRanges(s.threads, len(V[0]), rowChunk, func(_, lo, hi int) {
		x := make([]float64, p)
		out := make([]float64, cols)
		for r := lo; r < hi; r++ {
			for i, v := range V {
				x[i] = v[r]
			}
			clear(out)
			for i, xi := range x {
				row := coef[i*cols : (i+1)*cols]
				for c, sc := range row {
					out[c] += xi * sc
				}
			}
			for c, o := range out {
				V[c][r] = o
			}
		}
	})
}

// orthogonalise removes from w its components along the deflated vector and
// the basis (classical Gram–Schmidt applied twice, which keeps the basis
// orthogonal to working precision) and returns the total coefficients on the
// basis.
func (s *eigSolver) orthogonalise(w []float64, basis [][]float64) []float64 {
	all := basis
	if s.deflate != nil {
		all = append([][]float64{s.deflate}, basis...)
	}
	total := make([]float64, len(all))
	for pass := 0; pass < 2; pass++ {
		h := s.dots(all, w)
		parallelRanges(s.threads, len(w), rowChunk, func(_, lo, hi int) {
			wc := w[lo:hi]
			for i, v := range all {
				c := h[i]
				for r, x := range v[lo:hi] {
					wc[r] -= c * x
				}
			}
		})
		for i := range total {
			total[i] += h[i]
		}
	}
	if s.deflate != nil {
		total = total[1:]
	}
	return total
}

// dots returns vᵢ·w for every vector of vs, summing fixed chunks in order.
func (s *eigSolver) dots(vs [][]float64, w []float64) []float64 {
	n := len(w)
	chunks := (n + rowChunk - 1) / rowChunk
	partial := make([]float64, chunks*len(vs))
	parallelRanges(s.threads, n, rowChunk, func(c, lo, hi int) {
		wc := w[lo:hi]
		for i, v := range vs {
			partial[c*len(vs)+i] = dot(v[lo:hi], wc)
		}
	})
	out := make([]float64, len(vs))
	for c := 0; c < chunks; c++ {
		for i := range out {
			out[i] += partial[c*len(vs)+i]
		}
	}
	return out
}

// dot returns x·y with four partial sums in a fixed order (one running sum
// would wait on the addition latency at every element).
func dot(x, y []float64) float64 {
	y = y[:len(x)]
	var a0, a1, a2, a3 float64
	k := 0
	for ; k+4 <= len(x); k += 4 {
		a0 += x[k] * y[k]
		a1 += x[k+1] * y[k+1]
		a2 += x[k+2] * y[k+2]
		a3 += x[k+3] * y[k+3]
	}
	for ; k < len(x); k++ {
		a0 += x[k] * y[k]
	}
	return (a0 + a1) + (a2 + a3)
}

func (s *eigSolver) norm(w []float64) float64 {
	return math.Sqrt(s.dots([][]float64{w}, w)[0])
}

func (s *eigSolver) scale(w []float64, f float64) {
	for i := range w {
		w[i] *= f
	}
}
