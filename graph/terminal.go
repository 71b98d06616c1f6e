package graph

import (
	"context"
	"fmt"
	"github.com/velo-rna/velo/internal/numeric"
	"math"

	"github.com/velo-rna/velo/anndata"
	"github.com/velo-rna/velo/array"
)

// TerminalOptions configures TerminalStates. The zero value is scVelo's
// tl.terminal_states defaults.
type TerminalOptions struct {
	// VKey prefixes the graph keys (default "velocity").
	VKey string
	// SelfTransitions keeps self-transition probabilities in the
	// transition matrices (scVelo self_transitions, default false).
	SelfTransitions bool
	// Eps selects eigenvalues ≥ 1 − Eps as unit eigenvalues (default
	// 1e-3).
	Eps float64
	// Scale is the transition kernel scale (default 10).
	Scale float64
	// Threads is the number of goroutines (0 = GOMAXPROCS).
	Threads int
}

// Defaults of tl.terminal_states.
const (
	defaultEps  = 1e-3
	terminalNev = 10 // eigs(k=10)
	// eigenNoise is the relative magnitude below which eigenvector
	// entries are rounding noise of the eigensolver.
	eigenNoise = 1e-9
)

// TerminalStates scores root cells and end points (tl.terminal_states
// without groupby): the stationary distributions of the backward and the
// forward Markov chain on the transition matrix, i.e. the eigenvectors of
// Tᵀ with eigenvalue ≥ 1 − Eps among its 10 eigenvalues of largest real
// part. Each eigenvector's magnitudes are zeroed below their 2nd
// percentile, clipped at their 98th and divided by their maximum; their sum
// is averaged over each cell and its stored nearest neighbours, clipped at
// its 98th percentile and scaled to [0, 1] → obs root_cells and end_points.
//
// scVelo finds the eigenvectors with ARPACK from a random start; velo uses
// a restarted Krylov–Schur iteration from a fixed start, so results are
// reproducible but, where unit eigenvalues are (nearly) repeated, may span
// the same space with a different basis; eigenvector entries at rounding
// noise level are zeroed rather than amplified (see unitEigenvectors).
// scVelo's extra check of root cells against a gene-count plasticity score
// (only when var gene_count_corr exists, i.e. more than 3000 genes at
// normalisation) is not applied.
func TerminalStates(ctx context.Context, a *anndata.AnnData, opts TerminalOptions) error {
	dist, err := distances(a)
	if err != nil {
		return fmt.Errorf("terminal states: %w", err)
	}
	w := binaryWeights(dist)
	for _, s := range []struct {
		backward bool
		key      string
	}{{true, "root_cells"}, {false, "end_points"}} {
		score, err := terminalScore(ctx, a, w, s.backward, opts)
		if err != nil {
			return fmt.Errorf("terminal states (%s): %w", s.key, err)
		}
		a.Obs.Set(s.key, score)
	}
	return nil
}

func terminalScore(ctx context.Context, a *anndata.AnnData, w *array.CSR, backward bool, opts TerminalOptions) ([]float64, error) {
	t, err := TransitionMatrix(a, TransitionOptions{
		VKey:              opts.VKey,
		Scale:             opts.Scale,
		NoSelfTransitions: !opts.SelfTransitions,
		Backward:          backward,
	})
	if err != nil {
		return nil, err
	}
	eps := opts.Eps
	if eps == 0 {
		eps = defaultEps
	}
	vecs, err := unitEigenvectors(ctx, t, eps, opts.Threads)
	if err != nil {
		return nil, err
	}
	n := t.Rows
	sum := make([]float64, n)
	for _, v := range vecs {
		for i, x := range v {
			sum[i] += x
		}
	}
	score := make([]float64, n)
	mulVec(w, sum, score, opts.Threads)
	ub := numeric.Percentile(score, 98)
	for i, x := range score {
		score[i] = math.Min(math.Max(x, 0), ub)
	}
	return minMaxScale(score), nil
}

// unitEigenvectors returns the eigenvectors of tᵀ whose eigenvalues have a
// real part ≥ 1 − eps among the terminalNev of largest real part, each
// post-processed as scVelo's eigs(perc=[2, 98]): absolute values, entries
// below the 2nd percentile set to 0, clipped at the 98th, divided by the
// maximum.
//
// Two guards keep rounding noise out, where scVelo would amplify it: entries
// below eigenNoise of a vector's largest magnitude count as 0, and a vector
// that the clipping leaves all zero (its support is under 2 % of the cells,
// e.g. the stationary state of a cell no other cell transitions to) is
// dropped instead of being divided by 0.
func unitEigenvectors(ctx context.Context, t *array.CSR, eps float64, threads int) ([][]float64, error) {
	n := t.Rows
	tt := t.Transpose()
	p := eigenProblem{
		op:    func(dst, src []float64) { mulVec(tt, src, dst, threads) },
		n:     n,
		nev:   min(terminalNev, n),
		score: func(z complex128) float64 { return real(z) },
	}
	pairs, err := p.solve(ctx)
	if err != nil {
		return nil, err
	}
	var out [][]float64
	for k, z := range pairs.values {
		if real(z) < 1-eps {
			continue
		}
		v := make([]float64, n)
		peak := 0.0
		for i, x := range pairs.vectors[k] {
			v[i] = math.Abs(x)
			peak = math.Max(peak, v[i])
		}
		for i, x := range v {
			if x <= eigenNoise*peak {
				v[i] = 0
			}
		}
		lb, ub := numeric.Percentile(v, 2), numeric.Percentile(v, 98)
		top := 0.0
		for i, x := range v {
			if x < lb {
				x = 0
			}
			v[i] = math.Min(math.Max(x, 0), ub)
			top = math.Max(top, v[i])
		}
		if top == 0 {
			continue
		}
		for i := range v {
			v[i] /= top
		}
		out = append(out, v)
	}
	return out, nil
}

// minMaxScale is scVelo's scale(): shift the finite values to start at 0
// and divide by their maximum when it is not 0.
func minMaxScale(x []float64) []float64 {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, v := range x {
		if !math.IsNaN(v) && !math.IsInf(v, 0) {
			lo = math.Min(lo, v)
		}
	}
	out := make([]float64, len(x))
	if math.IsInf(lo, 1) {
		copy(out, x)
		return out
	}
	for i, v := range x {
		out[i] = v - lo
		if !math.IsNaN(out[i]) && !math.IsInf(out[i], 0) {
			hi = math.Max(hi, out[i])
		}
	}
	if hi != 0 {
		for i := range out {
			out[i] /= hi
		}
	}
	return out
}
