package preprocess

import (
	"context"
	"fmt"
	"math"

	"github.com/velo-rna/velo/anndata"
	"github.com/velo-rna/velo/array"
	"github.com/velo-rna/velo/internal/parallel"
)

// defaultNPCs is scVelo's number of principal components when it computes
// a PCA itself (pp.neighbors: n_comps = 30 if n_pcs is None).
const defaultNPCs = 30

// PCAOptions configures PCA.
type PCAOptions struct {
	// NComps is the number of components; 0 means scVelo's
	// min(30, G_hvg − 1, n − 1). Larger requests are capped the same way.
	NComps int
	// UseHighlyVariable restricts the PCA to var highly_variable genes;
	// nil means "when that column exists" (scanpy's default, and what
	// scVelo's neighbours step passes).
	UseHighlyVariable *bool
	// Recompute forces a new PCA. By default an existing obsm X_pca with at
	// least NComps columns (any width when NComps is 0) is kept, as
	// scVelo's neighbours step does.
	Recompute bool
	// Seed of the iteration's random start block (scanpy random_state=0).
	Seed    uint64
	Threads int
	Logf    Logf
}

// PCA computes the principal components of the log-normalised X (spec A7),
// as scanpy.pp.pca(zero_center=True, svd_solver='arpack') does inside
// scVelo: X restricted to the highly variable genes, centred implicitly
// (sparse X is never densified), truncated SVD of the centred matrix.
// It writes obsm X_pca (n × k scores, float32), varm PCs (G × k loadings,
// zero rows for genes outside the PCA) and uns pca {params {zero_center,
// use_highly_variable}, variance (λ/(n−1)), variance_ratio}.
//
// The SVD is a seeded block Krylov iteration run to convergence (singular
// values to ~1e-8 relative), so results equal the exact decomposition at
// float32 precision, whatever the number of threads; ARPACK, which scanpy
// uses, agrees to its own float32 tolerance. Signs follow sklearn's
// svd_flip: the largest-magnitude score of each component is positive.
func PCA(ctx context.Context, a *anndata.AnnData, opts PCAOptions) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if old, ok := a.Obsm["X_pca"]; ok && !opts.Recompute && old.Rows == a.NObs() && old.Cols >= max(opts.NComps, 1) {
		opts.Logf.printf("Using the existing X_pca (%d components).", old.Cols)
		return nil
	}
	if err := checkShape(a); err != nil {
		return fmt.Errorf("pca: %w", err)
	}
	x, err := getMatrix(a, "X")
	if err != nil {
		return fmt.Errorf("pca: %w", err)
	}
	if err := checkValues(a, "X", x, false); err != nil {
		return fmt.Errorf("pca: %w", err)
	}
	genes, useHVG, err := pcaGenes(a, opts.UseHighlyVariable)
	if err != nil {
		return fmt.Errorf("pca: %w", err)
	}
	n := a.NObs()
	k := opts.NComps
	if k == 0 {
		k = defaultNPCs
	}
	k = min(k, len(genes)-1, n-1)
	if k < 1 {
		return fmt.Errorf("pca: %d cells and %d genes leave no component to compute", n, len(genes))
	}
	var sel []int // nil: every gene enters, X is used as it is
	if len(genes) < a.NVars() {
		sel = genes
	}
	mu, total := colMoments(x, sel, opts.Threads)
	res, err := centredSVD(ctx, x, sel, mu, k, opts.Seed, opts.Threads)
	if err != nil {
		return fmt.Errorf("pca: %w", err)
	}
	if res.unconverged > 0 {
		opts.Logf.printf("WARNING: PCA: %d of %d components did not converge to relative residual %g (flat spectrum); using the best approximation.", res.unconverged, k, krylovTol)
	}
	flipSigns(res)

	scores := array.NewDense(n, k)
	for c, t := range res.scores {
		for i, v := range t {
			scores.Data[i*k+c] = float32(v)
		}
	}
	loadings := array.NewDense(a.NVars(), k)
	for c, v := range res.comps {
		for p, g := range genes {
			loadings.Data[g*k+c] = float32(v[p])
		}
	}
	variance := make([]float64, k)
	ratio := make([]float64, k)
	for c, s := range res.sigma {
		// scanpy stores float32 arrays; the values are rounded to float32
		// so they equal what it writes.
		ev := s * s / float64(n-1)
		variance[c] = float64(float32(ev))
		ratio[c] = float64(float32(ev / total))
	}
	a.Obsm["X_pca"] = scores
	a.Varm["PCs"] = loadings
	a.Uns["pca"] = map[string]any{
		"params": map[string]any{
			"zero_center":         true,
			"use_highly_variable": useHVG,
		},
		"variance":       variance,
		"variance_ratio": ratio,
	}
	return nil
}

// pcaGenes returns the gene positions entering the PCA and whether they
// are the highly variable subset.
func pcaGenes(a *anndata.AnnData, use *bool) ([]int, bool, error) {
	useHVG := a.Var.Has("highly_variable")
	if use != nil {
		if *use && !useHVG {
			return nil, false, fmt.Errorf("var highly_variable is missing but was requested")
		}
		useHVG = *use
	}
	var genes []int
	if useHVG {
		hv, err := a.Var.Bool("highly_variable")
		if err != nil {
			return nil, false, err
		}
		for g, ok := range hv {
			if ok {
				genes = append(genes, g)
			}
		}
	} else {
		for g := 0; g < a.NVars(); g++ {
			genes = append(genes, g)
		}
	}
	if len(genes) < 2 {
		return nil, false, fmt.Errorf("%d genes enter the PCA, need at least 2", len(genes))
	}
	return genes, useHVG, nil
}

func selectColumns(m array.Matrix, cols []int) array.Matrix {
	switch t := m.(type) {
	case *array.CSR:
		return t.SelectCols(cols)
	case *array.Dense:
		return t.SelectCols(cols)
	}
	panic("preprocess: unknown matrix type")
}

// flipSigns applies sklearn's svd_flip (u-based): each component's sign
// makes its largest-magnitude score (the first one on ties) positive.
func flipSigns(res *svdResult) {
	for c, t := range res.scores {
		best := 0
		for i, v := range t {
			if math.Abs(v) > math.Abs(t[best]) {
				best = i
			}
		}
		if t[best] < 0 {
			for i := range t {
				t[i] = -t[i]
			}
			for g := range res.comps[c] {
				res.comps[c][g] = -res.comps[c][g]
			}
		}
	}
}

// colMoments returns the float64 means of the columns sel of x (nil: all)
// and the sum of their sample variances (ddof 1), the denominator of
// scanpy's variance_ratio. Row chunks sum in parallel and are merged in
// chunk order, so the result does not depend on the number of threads.
func colMoments(x array.Matrix, sel []int, threads int) (mu []float64, total float64) {
	n, g := x.Shape()
	chunk := gramChunk(n)
	nc := parallel.Chunks(n, chunk)
	sums := make([][]float64, nc)
	sq := make([][]float64, nc)
	parallel.For(n, chunk, threads, func(c, lo, hi int) {
		s, q := make([]float64, g), make([]float64, g)
		for i := lo; i < hi; i++ {
			var idx []int32
			var val []float32
			switch t := x.(type) {
			case *array.CSR:
				idx, val = t.RowView(i)
			case *array.Dense:
				val = t.Row(i)
			}
			for k, v := range val {
				j, f := col(idx, k), float64(v)
				s[j] += f
				q[j] += f * f
			}
		}
		sums[c], sq[c] = s, q
	})
	for c := 1; c < nc; c++ {
		for j := range sums[0] {
			sums[0][j] += sums[c][j]
			sq[0][j] += sq[c][j]
		}
	}
	if sel == nil {
		sel = make([]int, g)
		for j := range sel {
			sel[j] = j
		}
	}
	mu = make([]float64, len(sel))
	for p, j := range sel {
		mu[p] = sums[0][j] / float64(n)
		total += (sq[0][j] - float64(n)*mu[p]*mu[p]) / float64(n-1)
	}
	return mu, total
}
