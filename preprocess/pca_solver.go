package preprocess

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"

	"github.com/velo-rna/velo/array"
	"github.com/velo-rna/velo/internal/parallel"
)

// Truncated SVD of the implicitly centred matrix A = X − 1μᵀ.
//
// scanpy runs ARPACK on a LinearOperator for the same A. velo uses a block
// Lanczos (block Krylov) iteration on AᵀA with full reorthogonalisation:
// the basis V grows by one block of b vectors per step (b = 4 or 8, see
// gramKernel), built from
// AᵀA applied to the previous block; Rayleigh–Ritz on the projected matrix
// VᵀAᵀAV gives the singular values and right vectors, and scores A·v come
// from the stored A·V, or, when that would exceed scoreStoreValues floats
// (a million cells), from A applied to the Ritz vectors at the end. A Ritz
// pair (λ, v) has eigen-residual
// ‖AᵀAv − λv‖ = ‖R·y_last‖, where R is the orthogonalised newest block of
// AᵀAV and y_last the last block of the Ritz coordinates; the iteration
// stops when every wanted pair has ‖AᵀAv − λv‖ ≤ krylovTol·λ.
//
// The start block is seeded, all reductions run in a fixed order, and the
// only parallel part (gramKernel) is deterministic, so the result is the
// same for any number of threads. Small problems are solved exactly with a
// dense SVD instead.
const (
	// maxBlock is the widest block of vectors sharing a pass over X
	// (gramKernel chooses 4 or 8).
	maxBlock = 8
	// krylovTol gives singular values to ~1e-8 relative and singular
	// vectors to |cos| > 0.99999 on scVelo-sized data, far below the float32
	// rounding of the stored scores.
	krylovTol = 1e-4
	// denseSVDMax is the largest min(n, G) solved by a dense SVD.
	denseSVDMax = 200
	// krylovMaxPerComponent bounds the basis at this many vectors per
	// wanted component. Components deep in a flat noise spectrum (nearly
	// equal eigenvalues, as in the Marchenko–Pastur bulk of pure noise)
	// converge arbitrarily slowly and are ill-determined anyway; the
	// iteration then stops with the best Ritz approximation, which still
	// spans the leading subspace accurately. 12 lets 10 000 simulated cells
	// converge fully with blocks of 8, which need a few more vectors than
	// blocks of 4.
	krylovMaxPerComponent = 12
)

// scoreStoreValues bounds A·V kept during the iteration (256 MiB of
// float64); beyond it the scores cost ⌈k/b⌉ more passes. A
// variable so tests can exercise both ways.
var scoreStoreValues = 1 << 25

// svdResult holds the k leading singular triplets of A, largest first.
type svdResult struct {
	sigma  []float64   // k singular values
	scores [][]float64 // k vectors of length n: A·v_i = σ_i·u_i
	comps  [][]float64 // k unit right singular vectors of length G
	// unconverged counts the components whose relative residual is still
	// above krylovTol when the iteration had to stop.
	unconverged int
}

// centredSVD returns the k leading singular triplets of X_S − 1μᵀ, X_S the
// columns sel of x (nil: all columns) and μ their means.
func centredSVD(ctx context.Context, x array.Matrix, sel []int, mu []float64, k int, seed uint64, threads int) (*svdResult, error) {
	n, _ := x.Shape()
	g := len(mu)
	if k < 1 || k > min(n, g) {
		return nil, fmt.Errorf("cannot compute %d components of a %d × %d matrix", k, n, g)
	}
	if min(n, g) <= denseSVDMax || min(n, g) < 3*(k+maxBlock) {
		if sel != nil {
			x = selectColumns(x, sel)
		}
		return denseCentredSVD(x, mu, k)
	}
	if c, ok := x.(*array.CSR); ok {
		// The vectorised kernels index without bounds checks.
		if err := checkIndices(c); err != nil {
			return nil, err
		}
	}
	return krylovSVD(ctx, newGramKernel(x, sel, mu, threads), k, seed, threads)
}

// denseCentredSVD forms A densely in float64 and factorises it.
func denseCentredSVD(x array.Matrix, mu []float64, k int) (*svdResult, error) {
	n, g := x.Shape()
	a := mat.NewDense(n, g, nil)
	xd := array.AsDense(x)
	for i := 0; i < n; i++ {
		row := xd.Row(i)
		for j := range g {
			a.Set(i, j, float64(row[j])-mu[j])
		}
	}
	var svd mat.SVD
	if !svd.Factorize(a, mat.SVDThin) {
		return nil, fmt.Errorf("the dense SVD of the %d × %d centred matrix did not converge", n, g)
	}
	var u, v mat.Dense
	svd.UTo(&u)
	svd.VTo(&v)
	s := svd.Values(nil)
	res := &svdResult{sigma: s[:k]}
	for c := 0; c < k; c++ {
		sc := make([]float64, n)
		for i := range sc {
			sc[i] = u.At(i, c) * s[c]
		}
		res.scores = append(res.scores, sc)
		res.comps = append(res.comps, mat.Col(nil, c, &v))
	}
	return res, nil
}

// krylovSVD runs the block Krylov iteration described above.
func krylovSVD(ctx context.Context, kern *gramKernel, k int, seed uint64, threads int) (*svdResult, error) {
	n, g := kern.n, len(kern.mu)
	b := kern.b
	maxDim := min(min(n, g)-b, krylovMaxPerComponent*k)
	rng := rand.New(rand.NewPCG(seed, 0x5ca1ab1e))

	var basis [][]float64 // V, as columns
	block := make([][]float64, b)
	for q := range block {
		block[q] = randomVector(rng, g)
	}
	orthonormalise(block, basis, rng)
	basis = append(basis, block...)

	p := make([]float64, g*b)
	w := make([]float64, g*b)
	var z []float64
	var scores [][]float64 // A·V, as columns, when stored
	if n*maxDim <= scoreStoreValues {
		z = make([]float64, n*b)
	}
	proj := []float64{} // VᵀAᵀAV, m × m row-major, rebuilt as m grows
	nextCheck := 2 * k  // the leading pairs cannot converge much earlier
	prevWorst, prevM := math.Inf(1), 0
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		m := len(basis)
		cur := basis[m-b:]
		for q, v := range cur {
			for j, e := range v {
				p[j*b+q] = e
			}
		}
		kern.apply(p, w, z)
		newGram := make([][]float64, b)
		for q := range b {
			if z != nil {
				zc := make([]float64, n)
				for i := range zc {
					zc[i] = z[i*b+q]
				}
				scores = append(scores, zc)
			}
			wc := make([]float64, g)
			for j := range wc {
				wc[j] = w[j*b+q]
			}
			newGram[q] = wc
		}

		// Grow the projected matrix by the new block's column (and,
		// by symmetry, row) of VᵀAᵀAV.
		grown := make([]float64, m*m)
		old := m - b
		for r := 0; r < old; r++ {
			copy(grown[r*m:r*m+old], proj[r*old:(r+1)*old])
		}
		// Each goroutine fills only its own column; the rows are mirrored
		// afterwards (ritz averages the two triangles of the new block).
		parallel.For(b, 1, threads, func(q, _, _ int) {
			c := old + q
			for r, v := range basis {
				grown[r*m+c] = floats.Dot(v, newGram[q])
			}
		})
		for c := old; c < m; c++ {
			for r := 0; r < old; r++ {
				grown[c*m+r] = grown[r*m+c]
			}
		}
		proj = grown

		// Residual block R = (I − VVᵀ)·AᵀA·V_new, orthogonalised twice
		// (each vector on its own, so the block runs in parallel).
		resid := newGram
		parallel.For(b, 1, threads, func(q, _, _ int) {
			rv := resid[q]
			for range 2 {
				for _, v := range basis {
					floats.AddScaled(rv, -floats.Dot(v, rv), v)
				}
			}
		})

		// Rayleigh–Ritz costs O(m³): check from 2k vectors on, and then
		// when the residuals, which shrink about geometrically with m,
		// should have converged.
		last := m+b > maxDim
		if last || m >= nextCheck {
			lambda, y, ok := ritz(proj, m)
			if !ok {
				return nil, fmt.Errorf("eigendecomposition of the %d × %d projected matrix failed", m, m)
			}
			bad, worst := unconverged(lambda, y, resid, m, k)
			if bad == 0 || last {
				res := ritzTriplets(kern, y, basis, scores, k)
				res.unconverged = bad
				return res, nil
			}
			nextCheck = m + b*checkAfter(prevWorst, worst, m-prevM, m, b)
			prevWorst, prevM = worst, m
		}
		orthonormaliseBlock(resid, basis, rng)
		basis = append(basis, resid...)
	}
}

// checkAfter returns how many blocks to add to a basis of m vectors before
// the next convergence check, from the worst residual ratio now and at the
// previous check, delta vectors ago. Krylov convergence accelerates, so a
// geometric extrapolation of the current rate overestimates the work left:
// take half of it, and let the basis grow by at most half before checking
// again. At least one block; one when no rate is known yet.
func checkAfter(prev, now float64, delta, m, b int) int {
	if prev <= now || delta <= 0 || now <= 1 {
		return 1
	}
	perVector := math.Log(prev/now) / float64(delta)
	blocks := int(0.5 * math.Log(now) / perVector / float64(b))
	return max(1, min(blocks, m/(2*b)))
}

// checkIndices verifies the CSR invariants the kernels rely on: row
// pointers within the arrays and column indices within [0, Cols).
func checkIndices(c *array.CSR) error {
	if len(c.Indptr) != c.Rows+1 || len(c.Indices) != len(c.Data) || c.Indptr[0] != 0 || c.Indptr[c.Rows] != int64(len(c.Indices)) {
		return fmt.Errorf("malformed sparse matrix (%d row pointers, %d indices, %d values)", len(c.Indptr), len(c.Indices), len(c.Data))
	}
	for i := 0; i < c.Rows; i++ {
		if c.Indptr[i+1] < c.Indptr[i] {
			return fmt.Errorf("malformed sparse matrix: row pointers decrease at row %d", i)
		}
	}
	for _, j := range c.Indices {
		if j < 0 || int(j) >= c.Cols {
			return fmt.Errorf("malformed sparse matrix: column index %d outside [0, %d)", j, c.Cols)
		}
	}
	return nil
}

// ritz returns the eigenvalues of the m × m symmetric matrix a in
// decreasing order with their eigenvectors as the columns of y.
func ritz(a []float64, m int) ([]float64, *mat.Dense, bool) {
	sym := mat.NewSymDense(m, nil)
	for r := 0; r < m; r++ {
		for c := r; c < m; c++ {
			sym.SetSym(r, c, (a[r*m+c]+a[c*m+r])/2)
		}
	}
	var eig mat.EigenSym
	if !eig.Factorize(sym, true) {
		return nil, nil, false
	}
	vals := eig.Values(nil)
	var vecs mat.Dense
	eig.VectorsTo(&vecs)
	// gonum returns ascending order; reverse to largest first.
	lambda := make([]float64, m)
	y := mat.NewDense(m, m, nil)
	for c := 0; c < m; c++ {
		lambda[c] = vals[m-1-c]
		for r := 0; r < m; r++ {
			y.Set(r, c, vecs.At(r, m-1-c))
		}
	}
	return lambda, y, true
}

// unconverged counts the k leading Ritz pairs whose relative
// eigen-residual ‖R·y_last‖/λ is above krylovTol, and returns the largest
// ratio of a relative residual to krylovTol.
func unconverged(lambda []float64, y *mat.Dense, resid [][]float64, m, k int) (bad int, worst float64) {
	b := len(resid)
	g := len(resid[0])
	r := make([]float64, g)
	for i := 0; i < k; i++ {
		clear(r)
		for q, rv := range resid {
			floats.AddScaled(r, y.At(m-b+q, i), rv)
		}
		ratio := math.Inf(1)
		if lambda[i] > 0 {
			ratio = floats.Norm(r, 2) / (krylovTol * lambda[i])
		}
		if !(ratio <= 1) {
			bad++
		}
		worst = math.Max(worst, ratio)
	}
	return bad, worst
}

// ritzTriplets forms the k leading singular triplets from the Ritz
// coordinates: v = V·y, A·v = (A·V)·y from the stored scores or else in
// passes of b vectors over X, and σ = ‖A·v‖.
func ritzTriplets(kern *gramKernel, y *mat.Dense, basis, scores [][]float64, k int) *svdResult {
	b := kern.b
	n, g := kern.n, len(kern.mu)
	res := &svdResult{sigma: make([]float64, k), comps: make([][]float64, k), scores: make([][]float64, k)}
	for i := range res.comps {
		v := make([]float64, g)
		for c := range basis {
			floats.AddScaled(v, y.At(c, i), basis[c])
		}
		res.comps[i] = v
	}
	if scores != nil {
		parallel.For(k, 1, kern.threads, func(i, _, _ int) {
			t := make([]float64, n)
			for c := range scores {
				floats.AddScaled(t, y.At(c, i), scores[c])
			}
			res.sigma[i] = floats.Norm(t, 2)
			res.scores[i] = t
		})
		return res
	}
	p := make([]float64, g*b)
	z := make([]float64, n*b)
	for c0 := 0; c0 < k; c0 += b {
		clear(p)
		for q := 0; q < b && c0+q < k; q++ {
			for j, e := range res.comps[c0+q] {
				p[j*b+q] = e
			}
		}
		kern.times(p, z)
		for q := 0; q < b && c0+q < k; q++ {
			t := make([]float64, n)
			for i := range t {
				t[i] = z[i*b+q]
			}
			res.sigma[c0+q] = floats.Norm(t, 2)
			res.scores[c0+q] = t
		}
	}
	return res
}

// orthonormalise makes the vectors of block orthonormal and orthogonal to
// basis (modified Gram–Schmidt, two passes). A vector that vanishes in the
// process (the Krylov space became invariant) is replaced by a random one.
func orthonormalise(block, basis [][]float64, rng *rand.Rand) {
	for q := range block {
		for attempt := 0; ; attempt++ {
			v := block[q]
			before := floats.Norm(v, 2)
			for range 2 {
				for _, u := range basis {
					floats.AddScaled(v, -floats.Dot(u, v), u)
				}
				for _, u := range block[:q] {
					floats.AddScaled(v, -floats.Dot(u, v), u)
				}
			}
			after := floats.Norm(v, 2)
			if after > 1e-10*before && after > 0 {
				floats.Scale(1/after, v)
				break
			}
			if attempt > 3 {
				panic("preprocess: cannot extend the Krylov basis")
			}
			block[q] = randomVector(rng, len(v))
		}
	}
}

// orthonormaliseBlock orthonormalises a residual block that is already
// orthogonal to basis: Gram–Schmidt within the block (two passes), then
// normalisation. A vector that (nearly) vanishes goes through the full
// orthonormalise, which replaces it if needed.
func orthonormaliseBlock(block, basis [][]float64, rng *rand.Rand) {
	for q := range block {
		v := block[q]
		before := floats.Norm(v, 2)
		for range 2 {
			for _, u := range block[:q] {
				floats.AddScaled(v, -floats.Dot(u, v), u)
			}
		}
		after := floats.Norm(v, 2)
		if after > 1e-3*before && after > 0 {
			floats.Scale(1/after, v)
			continue
		}
		// Cancellation: the vector must be orthogonalised against the
		// basis again before it can join it.
		orthonormalise(block[q:q+1], append(append([][]float64(nil), basis...), block[:q]...), rng)
	}
}

func randomVector(rng *rand.Rand, n int) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = rng.NormFloat64()
	}
	return v
}
