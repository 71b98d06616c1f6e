package graph

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/cmplx"
	"math/rand/v2"
	"slices"

	"github.com/velo-rna/velo/internal/parallel"
	"gonum.org/v1/gonum/lapack"
	lapackgonum "gonum.org/v1/gonum/lapack/gonum"
	"gonum.org/v1/gonum/mat"
)

// operator applies a square linear map: dst = A·src.
type operator func(dst, src []float64)

// eigenProblem asks for nev eigenpairs of an n×n operator, preferring
// eigenvalues with a larger score (e.g. the real part, or the modulus).
type eigenProblem struct {
	op    operator
	n     int
	nev   int
	score func(complex128) float64
	// partial, when set, asks only for the pairs scoring at least cutoff
	// to full accuracy; the others are accepted as soon as their residual
	// shows they stay below it (see converged). That spares the many
	// restarts a clustered, unwanted part of the spectrum takes.
	partial bool
	cutoff  float64
	// lock spans an invariant subspace known beforehand (e.g. the
	// stationary distributions of a chain's closed classes), which the
	// iteration keeps in its basis from the start instead of finding it;
	// fewer than nev vectors.
	lock [][]float64
	// budget, when positive, bounds the products of the Krylov iteration,
	// which otherwise fails with errBudget.
	budget int
	// threads parallelises the vector work of the iteration (0 =
	// GOMAXPROCS); the result does not depend on it.
	threads int
}

// eigenPairs holds eigenvalues in order of decreasing score and the real
// parts of their unit-norm eigenvectors.
type eigenPairs struct {
	values  []complex128
	vectors [][]float64
}

// Solver settings. Problems up to denseLimit are solved densely; larger
// ones with a restarted Krylov–Schur iteration (Stewart 2001), the method
// behind ARPACK's implicitly restarted Arnoldi, from a fixed pseudo-random
// start vector so the result is reproducible. A subspace of at least
// krylovMinDim vectors trades cheap vector work for fewer products with the
// graph (fewer restarts); beyond 40 the solves of the pseudotime take
// hardly fewer. Pairs below the cutoff of a partial problem need a
// residual below krylovLooseTol (relative): the hundredfold margin to the
// cutoff they must also keep is the real test, and waiting for 1e-5
// instead doubled the products of the chains on a slowly mixing lattice
// (100 000 cells: 216 instead of 401) without changing which eigenvalues
// pass the cutoff.
const (
	denseLimit     = 400
	krylovMinDim   = 40
	krylovTol      = 1e-10
	krylovLooseTol = 1e-3
	krylovRestarts = 5000
	eigenSeed      = 0x5eed
	// dgksEta is the fraction of its norm a new Krylov vector may lose to
	// one Gram–Schmidt pass before a second pass is needed: 1/√2.
	dgksEta = 0.7071067811865476
)

var (
	errNoConvergence = errors.New("eigensolver did not converge")
	errBudget        = errors.New("eigensolver needs more products than its budget")
)

// solve returns the nev preferred eigenpairs (all n when n ≤ nev).
func (p eigenProblem) solve(ctx context.Context) (eigenPairs, error) {
	if p.n <= denseLimit {
		return p.dense()
	}
	return p.krylovSchur(ctx)
}

// dense builds the matrix column by column and solves it with LAPACK.
func (p eigenProblem) dense() (eigenPairs, error) {
	n := p.n
	a := mat.NewDense(n, n, nil)
	e := make([]float64, n)
	col := make([]float64, n)
	for j := 0; j < n; j++ {
		clear(e)
		e[j] = 1
		p.op(col, e)
		for i, v := range col {
			a.Set(i, j, v)
		}
	}
	return ritz(a, nil, p.nev, p.score)
}

// ritz solves the small eigenproblem of h and maps its eigenvectors through
// the basis v (nil: identity), keeping the nev best by score.
func ritz(h *mat.Dense, v [][]float64, nev int, score func(complex128) float64) (eigenPairs, error) {
	var eig mat.Eigen
	if ok := eig.Factorize(h, mat.EigenRight); !ok {
		return eigenPairs{}, fmt.Errorf("dense eigen decomposition failed")
	}
	vals := eig.Values(nil)
	var vecs mat.CDense
	eig.VectorsTo(&vecs)
	order := rankByScore(vals, score)
	if nev < len(order) {
		order = order[:nev]
	}
	m, _ := h.Dims()
	out := eigenPairs{}
	for _, k := range order {
		out.values = append(out.values, vals[k])
		var x []float64
		if v == nil {
			x = make([]float64, m)
			for i := range x {
				x[i] = real(vecs.At(i, k))
			}
		} else {
			x = make([]float64, len(v[0]))
			for r := 0; r < m; r++ {
				axpy(x, real(vecs.At(r, k)), v[r])
			}
		}
		out.vectors = append(out.vectors, x)
	}
	return out, nil
}

// rankByScore returns the indices of vals by decreasing score, ties by
// index, so the order is reproducible.
func rankByScore(vals []complex128, score func(complex128) float64) []int {
	order := make([]int, len(vals))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		sa, sb := score(vals[a]), score(vals[b])
		switch {
		case sa > sb:
			return -1
		case sa < sb:
			return 1
		}
		return 0
	})
	return order
}

// krylovSchur runs the restarted Krylov–Schur iteration: an Arnoldi
// decomposition A·V = V·B + v·bᵀ of dimension m is brought to real Schur
// form, the preferred Ritz values are moved to the front, and the
// decomposition is truncated to them and expanded again, until the Ritz
// residuals of the nev preferred pairs are below krylovTol relative to the
// largest Ritz value.
func (p eigenProblem) krylovSchur(ctx context.Context) (eigenPairs, error) {
	n, nev := p.n, p.nev
	m := min(max(2*nev+1, krylovMinDim, nev+10), n-1)
	keepN := min(max(nev, (nev+m)/2), m-2)
	impl := lapackgonum.Implementation{}
	rng := rand.New(rand.NewPCG(eigenSeed, 0))

	v := make([][]float64, m+1)
	for i := range v {
		v[i] = make([]float64, n)
	}
	b := make([]float64, (m+1)*m) // (m+1)×m, row-major, leading dimension m
	h := make([]float64, m+1)
	coef := make([]float64, m+1)
	size := p.lockInto(v, b, m, h, coef)
	start := v[size]
	for i := range start {
		start[i] = rng.Float64()
	}
	for pass := 0; size > 0 && pass < 2; pass++ {
		orthogonalise(start, v[:size], nil, coef, p.threads)
	}
	scaleTo(start, 1/norm2(start))
	s := make([]float64, m*m)
	q := make([]float64, m*m)
	tau := make([]float64, m-1)
	wr, wi := make([]float64, m), make([]float64, m)
	work := make([]float64, max(64*m, 1))
	tmp := make([][]float64, m)
	for i := range tmp {
		tmp[i] = make([]float64, n)
	}

	// Ritz pairs are accepted as soon as they converge, checked after
	// every product once the space has the size of scipy's default ARPACK
	// subspace, max(2·nev+1, 20), rather than only at restarts: a restart
	// cycle costs m − keepN products.
	checkFrom := min(max(2*nev+1, 20), m)
	products := size
	for restart := 0; restart < krylovRestarts; restart++ {
		if err := ctx.Err(); err != nil {
			return eigenPairs{}, err
		}
		// Expand the decomposition to dimension m.
		for j := size; j < m; j++ {
			w := v[j+1]
			if products++; p.budget > 0 && products > p.budget {
				return eigenPairs{}, errBudget
			}
			p.op(w, v[j])
			before := norm2(w)
			clear(h[:j+1])
			orthogonalise(w, v[:j+1], h, coef, p.threads)
			beta := norm2(w)
			if beta < dgksEta*before {
				// Cancellation: a second pass restores orthogonality
				// (Daniel, Gragg, Kaufman and Stewart's test, as in
				// ARPACK); otherwise one pass already gives it.
				orthogonalise(w, v[:j+1], h, coef, p.threads)
				beta = norm2(w)
			}
			for r := 0; r <= j; r++ {
				b[r*m+j] = h[r]
			}
			if beta <= 1e-12*before || beta == 0 {
				// An invariant subspace: continue from a fresh direction.
				b[(j+1)*m+j] = 0
				for i := range w {
					w[i] = rng.Float64() - 0.5
				}
				for pass := 0; pass < 2; pass++ {
					orthogonalise(w, v[:j+1], nil, coef, p.threads)
				}
				scaleTo(w, 1/norm2(w))
				continue
			}
			b[(j+1)*m+j] = beta
			scaleTo(w, 1/beta)
			if j+1 >= checkFrom && j+1 < m {
				done, pairs, err := p.convergedAt(b, m, j+1, v)
				if err != nil {
					return eigenPairs{}, err
				}
				if done {
					return pairs, nil
				}
			}
		}
		// Real Schur form S = Qᵀ·B_m·Q.
		for r := 0; r < m; r++ {
			copy(s[r*m:(r+1)*m], b[r*m:(r+1)*m])
		}
		impl.Dgehrd(m, 0, m-1, s, m, tau, work, len(work))
		copy(q, s)
		impl.Dorghr(m, 0, m-1, q, m, tau, work, len(work))
		for r := 2; r < m; r++ {
			clear(s[r*m : r*m+r-1])
		}
		if bad := impl.Dhseqr(lapack.EigenvaluesAndSchur, lapack.SchurOrig, m, 0, m-1, s, m, wr, wi, q, m, work, len(work)); bad > 0 {
			return eigenPairs{}, fmt.Errorf("%w: Schur decomposition failed", errNoConvergence)
		}
		// Move the keepN preferred Ritz values to the front.
		vals := make([]complex128, m)
		for k := range vals {
			vals[k] = complex(wr[k], wi[k])
		}
		sel := make([]bool, m)
		for _, k := range rankByScore(vals, p.score)[:keepN] {
			sel[k] = true
		}
		for k := 0; k < m-1; k++ {
			if s[(k+1)*m+k] != 0 { // a 2×2 block: select both or neither
				both := sel[k] || sel[k+1]
				sel[k], sel[k+1] = both, both
				k++
			}
		}
		keep := 0
		for k := 0; k < m; {
			blk := 1
			if k < m-1 && s[(k+1)*m+k] != 0 {
				blk = 2
			}
			if sel[k] {
				if k != keep {
					if _, _, ok := impl.Dtrexc(lapack.UpdateSchur, m, s, m, q, m, k, keep, work); !ok {
						return eigenPairs{}, fmt.Errorf("%w: Schur reordering failed", errNoConvergence)
					}
				}
				keep += blk
			}
			k += blk
		}
		if keep >= m {
			keep = m - 1
			if s[keep*m+keep-1] != 0 {
				keep--
			}
		}
		// The coupling row after the change of basis: bᵀ·Q.
		last := b[m*m : m*m+m]
		cpl := make([]float64, keep)
		for c := 0; c < keep; c++ {
			var acc float64
			for r := 0; r < m; r++ {
				acc += last[r] * q[r*m+c]
			}
			cpl[c] = acc
		}
		// New basis V·Q[:, :keep], a slice of entries at a time: the m
		// basis vectors' slices stay in cache while all keep columns are
		// formed, instead of every vector being read once per column.
		parallel.For(n, basisChunk, p.threads, func(_, lo, hi int) {
			for c := 0; c < keep; c++ {
				t := tmp[c][lo:hi]
				clear(t)
				for r := 0; r < m; r++ {
					axpy(t, q[r*m+c], v[r][lo:hi])
				}
			}
			for c := 0; c < keep; c++ {
				copy(v[c][lo:hi], tmp[c][lo:hi])
			}
		})
		copy(v[keep], v[m])
		clear(b)
		for r := 0; r < keep; r++ {
			copy(b[r*m:r*m+keep], s[r*m:r*m+keep])
			b[keep*m+r] = cpl[r]
		}
		size = keep
		// Convergence of the nev preferred Ritz pairs of the kept block.
		hk := mat.NewDense(keep, keep, nil)
		for r := 0; r < keep; r++ {
			for c := 0; c < keep; c++ {
				hk.Set(r, c, s[r*m+c])
			}
		}
		done, pairs, err := p.converged(hk, cpl, v[:keep])
		if err != nil {
			return eigenPairs{}, err
		}
		if done {
			return pairs, nil
		}
	}
	return eigenPairs{}, fmt.Errorf("%w after %d restarts", errNoConvergence, krylovRestarts)
}

// lockInto starts the decomposition with an orthonormal basis of p.lock
// in v (dropping vectors that lie in the span of those before) and
// B = Vᵀ·A·V in b (leading dimension m), and returns its dimension. A·V
// stays in span V up to rounding, so the part of A·V outside it is
// dropped: the coupling of the locked columns is zero and the iteration
// never has to find their eigenvalues itself.
func (p eigenProblem) lockInto(v [][]float64, b []float64, m int, h, coef []float64) int {
	size := 0
	for _, x := range p.lock {
		w := v[size]
		copy(w, x)
		before := norm2(w)
		for pass := 0; pass < 2; pass++ {
			orthogonalise(w, v[:size], nil, coef, p.threads)
		}
		if nw := norm2(w); nw > 1e-8*before {
			scaleTo(w, 1/nw)
			size++
		}
	}
	if size == 0 {
		return 0
	}
	w := v[size]
	for c := 0; c < size; c++ {
		p.op(w, v[c])
		clear(h[:size])
		for pass := 0; pass < 2; pass++ {
			orthogonalise(w, v[:size], h, coef, p.threads)
		}
		for r := 0; r < size; r++ {
			b[r*m+c] = h[r]
		}
	}
	return size
}

// convergedAt checks convergence of the Arnoldi-like decomposition of
// dimension k held in b (leading dimension m): A·V_k = V_k·B_k + v_k·bᵀ with
// B_k = b[:k, :k] and bᵀ its row k.
func (p eigenProblem) convergedAt(b []float64, m, k int, v [][]float64) (bool, eigenPairs, error) {
	hk := mat.NewDense(k, k, nil)
	for r := 0; r < k; r++ {
		for c := 0; c < k; c++ {
			hk.Set(r, c, b[r*m+c])
		}
	}
	return p.converged(hk, b[k*m:k*m+k], v[:k])
}

// converged checks the Ritz residuals |cplᵀ·y| of the nev preferred
// eigenvectors y of hk and, when all are small, returns the pairs. In a
// partial problem a pair scoring below the cutoff only needs a residual
// below krylovLooseTol that keeps it a hundred residuals below the cutoff.
func (p eigenProblem) converged(hk *mat.Dense, cpl []float64, v [][]float64) (bool, eigenPairs, error) {
	nev, score := p.nev, p.score
	var eig mat.Eigen
	if ok := eig.Factorize(hk, mat.EigenRight); !ok {
		return false, eigenPairs{}, fmt.Errorf("%w: Ritz decomposition failed", errNoConvergence)
	}
	vals := eig.Values(nil)
	var vecs mat.CDense
	eig.VectorsTo(&vecs)
	order := rankByScore(vals, score)[:nev]
	top := 0.0
	for _, x := range vals {
		top = math.Max(top, cmplx.Abs(x))
	}
	for _, k := range order {
		var r complex128
		for i, c := range cpl {
			r += complex(c, 0) * vecs.At(i, k)
		}
		res, scale := cmplx.Abs(r), math.Max(top, 1e-300)
		if res <= krylovTol*scale {
			continue
		}
		if p.partial && res <= krylovLooseTol*scale && score(vals[k])+100*res < p.cutoff {
			continue
		}
		return false, eigenPairs{}, nil
	}
	pairs, err := ritz(hk, v, nev, score)
	return err == nil, pairs, err
}

// orthogonalise removes from w its components along the orthonormal
// vectors v by one classical Gram–Schmidt pass (run twice for accuracy):
// the dot products are independent, one per vector, and the update of each
// entry sums over v in order, so both run in parallel with the same result
// for any thread count. The coefficients are added to h unless it is nil;
// coef is scratch of at least len(v).
func orthogonalise(w []float64, v [][]float64, h, coef []float64, threads int) {
	coef = coef[:len(v)]
	parallel.For(len(v), 1, threads, func(_, lo, hi int) {
		for r := lo; r < hi; r++ {
			coef[r] = dot(v[r], w)
		}
	})
	parallel.For(len(w), orthoChunk, threads, func(_, lo, hi int) {
		for r, c := range coef {
			axpy(w[lo:hi], -c, v[r][lo:hi])
		}
	})
	for r, c := range coef {
		if h != nil {
			h[r] += c
		}
	}
}

// orthoChunk is the number of vector entries one task of orthogonalise
// updates; basisChunk those one task of a restart's change of basis forms,
// small enough for the slices of all basis vectors to stay in cache.
const (
	orthoChunk = 1 << 14
	basisChunk = 1 << 11
)

// dot returns a·b with four partial sums, so the additions do not wait on
// each other.
func dot(a, b []float64) float64 {
	b = b[:len(a)]
	var s0, s1, s2, s3 float64
	i := 0
	for ; i+4 <= len(a); i += 4 {
		x, y := a[i:i+4:i+4], b[i:i+4:i+4]
		s0 += x[0] * y[0]
		s1 += x[1] * y[1]
		s2 += x[2] * y[2]
		s3 += x[3] * y[3]
	}
	for ; i < len(a); i++ {
		s0 += a[i] * b[i]
	}
	return (s0 + s1) + (s2 + s3)
}

func axpy(dst []float64, alpha float64, x []float64) {
	x = x[:len(dst)]
	for i := range dst {
		dst[i] += alpha * x[i]
	}
}

func norm2(x []float64) float64 { return math.Sqrt(dot(x, x)) }

func scaleTo(x []float64, f float64) {
	for i := range x {
		x[i] *= f
	}
}
