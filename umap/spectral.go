package umap

import (
	"context"
	"math"

	"gonum.org/v1/gonum/mat"
)

// Settings of the spectral initialisation.
const (
	// spectralTol bounds the residual ‖M·x − θx‖ of the eigenvectors.
	// umap-learn asks ARPACK for a relative residual of 1e-4; the eigenvalues
	// sought are close to 1, so the same bound serves as an absolute one.
	spectralTol = 1e-4
	// spectralBasis and spectralBlock size the Lanczos basis: memory is
	// (spectralBasis + spectralBlock)·n float64, 272 MB for a million
	// vertices. A block of two finds both vectors of a repeated eigenvalue.
	spectralBasis = 32
	spectralBlock = 2
	// spectralMaxMatvecs bounds the work before the spectral layout is
	// declared failed and random coordinates are used instead: about two
	// minutes for a million vertices on two cores.
	spectralMaxMatvecs = 1500
	// denseLimit is the largest component laid out with a dense
	// eigendecomposition: below it the Lanczos basis would not fit.
	denseLimit = 2 * spectralBasis
	// multilevelMin is the smallest graph whose eigensolver starts from the
	// layout of its coarsened graph (see coarseStarts); smaller graphs
	// start from random vectors.
	multilevelMin = 5000
)

// normalisedAdjacency is the operator D^{-1/2} W D^{-1/2} of a graph with
// weighted degrees D. Its largest eigenvalues are 1 − the smallest
// eigenvalues of the symmetric normalised Laplacian I − D^{-1/2} W D^{-1/2},
// with the same eigenvectors; its top eigenvector is √d.
type normalisedAdjacency struct {
	g      *graph
	dinv   []float64
	scaled []float64 // D^{-1/2}·src, so that the row loop gathers one array
}

func (a *normalisedAdjacency) size() int { return a.g.n }

func (a *normalisedAdjacency) apply(dst, src []float64, threads int) {
	g := a.g
	parallelRanges(threads, g.n, rowChunk, func(_, lo, hi int) {
		for i := lo; i < hi; i++ {
			a.scaled[i] = a.dinv[i] * src[i]
		}
	})
	parallelRanges(threads, g.n, rowChunk, func(_, lo, hi int) {
		for i := lo; i < hi; i++ {
			// Four partial sums (fixed order): one running sum would wait
			// on the addition latency at every entry.
			idx := g.indices[g.indptr[i]:g.indptr[i+1]]
			w := g.weights[g.indptr[i]:g.indptr[i+1]]
			w = w[:len(idx)]
			var a0, a1, a2, a3 float64
			k := 0
			for ; k+4 <= len(idx); k += 4 {
				a0 += float64(w[k]) * a.scaled[idx[k]]
				a1 += float64(w[k+1]) * a.scaled[idx[k+1]]
				a2 += float64(w[k+2]) * a.scaled[idx[k+2]]
				a3 += float64(w[k+3]) * a.scaled[idx[k+3]]
			}
			for ; k < len(idx); k++ {
				a0 += float64(w[k]) * a.scaled[idx[k]]
			}
			dst[i] = a.dinv[i] * ((a0 + a1) + (a2 + a3))
		}
	})
}

// spectralLayout returns the eigenvectors 2 and 3 of the symmetric
// normalised Laplacian of the connected graph g (those with the smallest
// eigenvalues after the trivial one) as n×2 coordinates, umap-learn's
// spectral_layout. ok is false when g has fewer than 3 vertices or the
// eigensolver did not converge.
func spectralLayout(ctx context.Context, g *graph, seed, component uint64, threads int) (coords []float64, ok bool, err error) {
	if g.n < 3 {
		return nil, false, nil
	}
	op := &normalisedAdjacency{g: g, dinv: make([]float64, g.n), scaled: make([]float64, g.n)}
	u0 := make([]float64, g.n)
	var total float64
	for i := range u0 {
		var d float64
		for e := g.indptr[i]; e < g.indptr[i+1]; e++ {
			d += float64(g.weights[e])
		}
		if d <= 0 {
			return nil, false, nil // an isolated vertex: g is not connected
		}
		op.dinv[i] = 1 / math.Sqrt(d)
		u0[i] = math.Sqrt(d)
		total += d
	}
	for i := range u0 {
		u0[i] /= math.Sqrt(total)
	}
	var vecs [][]float64
	if g.n <= denseLimit {
		vecs = denseEigenvectors(op)
	} else {
		starts, err := coarseStarts(ctx, g, op.dinv, seed, component, threads)
		if err != nil {
			return nil, false, err
		}
		if starts == nil {
			starts = make([][]float64, spectralBlock)
			for b := range starts {
				starts[b] = make([]float64, g.n)
				for i := range starts[b] {
					r := newStream(seed, streamLanczosStart, component, uint64(i*spectralBlock+b))
					starts[b][i] = r.normal()
				}
			}
		}
		s := &eigSolver{
			op: op, deflate: u0, nev: 2, maxBasis: spectralBasis, tol: spectralTol,
			maxMatvecs: spectralMaxMatvecs, threads: threads,
			rng: newStream(seed, streamLanczosStart, component, math.MaxUint64),
		}
		_, vecs, ok, err = s.solve(ctx, starts)
		if err != nil || !ok {
			return nil, false, err
		}
	}
	coords = make([]float64, 2*g.n)
	for i := 0; i < g.n; i++ {
		coords[2*i] = vecs[0][i]
		coords[2*i+1] = vecs[1][i]
	}
	return coords, true, nil
}

// coarseStarts returns Lanczos start vectors for the connected graph g
// (whose D^{-1/2} is dinv) from the spectral layout of its coarsened graph,
// or nil when g is small or does not coarsen. The coarse eigenvectors u_c
// are carried over as the fine vectors D^{1/2}·P·D_c^{-1/2}·u_c, P the
// vertex → group map: the eigenvectors of the random-walk form D^{-1}W,
// which coarsening approximates by piecewise constants. From such a start
// the eigensolver needs a few restarts rather than hundreds of products.
func coarseStarts(ctx context.Context, g *graph, dinv []float64, seed, component uint64, threads int) ([][]float64, error) {
	if g.n < multilevelMin {
		return nil, nil
	}
	cg, agg := g.coarsen()
	if cg.n > g.n*9/10 {
		return nil, nil
	}
	cc, ok, err := spectralLayout(ctx, cg, seed, component, threads)
	if err != nil || !ok {
		return nil, err
	}
	dc := make([]float64, cg.n)
	for i, c := range agg {
		dc[c] += 1 / (dinv[i] * dinv[i])
	}
	starts := make([][]float64, spectralBlock)
	for b := range starts {
		starts[b] = make([]float64, g.n)
		for i, c := range agg {
			starts[b][i] = cc[2*int(c)+b] / math.Sqrt(dc[c]) / dinv[i]
		}
	}
	return starts, nil
}

// denseEigenvectors returns the eigenvectors of the second and third largest
// eigenvalues of a small connected graph's operator, from its dense matrix.
func denseEigenvectors(op *normalisedAdjacency) [][]float64 {
	g := op.g
	sym := mat.NewSymDense(g.n, nil)
	for i := 0; i < g.n; i++ {
		for e := g.indptr[i]; e < g.indptr[i+1]; e++ {
			j := int(g.indices[e])
			sym.SetSym(i, j, op.dinv[i]*float64(g.weights[e])*op.dinv[j])
		}
	}
	_, S := sortedEigen(sym)
	// Column 0 is √d (eigenvalue 1, simple in a connected graph).
	return [][]float64{mat.Col(nil, 1, S), mat.Col(nil, 2, S)}
}
