package graph

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/velo-rna/velo/anndata"
	"github.com/velo-rna/velo/array"
	"github.com/velo-rna/velo/internal/numeric"
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
	// unitSlack is how far from 1 the iteration's estimate of a closed
	// class's eigenvalue can lie: rows sum to 1 only to float32 rounding.
	unitSlack = 1e-6
	// simpleUnitBudget bounds the products of the iteration on a chain
	// with one closed class before it starts again from the class's
	// stationary distribution: well above what a simple eigenvalue 1
	// takes (about 50 on 100 000 simulated cells, 110 on a slowly mixing
	// lattice of as many).
	simpleUnitBudget = 200
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
// Eigenvalues below 1 − Eps only need to converge far enough to show they
// stay below it. A Krylov space finds a repeated eigenvalue 1 (one per
// closed class of the chain: cells no transition leaves) only through
// rounding, so those eigenvectors are the classes' stationary
// distributions, computed class by class: with two classes or more the
// iteration starts from them (with ten or more it is not needed), with
// one they are used when the iteration misses it, or it starts again from
// it when a second eigenvalue within rounding of 1 keeps it from
// converging; nearly repeated eigenvalues keep only their part outside
// that span.
// scVelo's extra check of root cells against a gene-count plasticity score
// (only when var gene_count_corr exists, i.e. more than 3000 genes at
// normalisation) is not applied.
func TerminalStates(ctx context.Context, a *anndata.AnnData, opts TerminalOptions) error {
	_, err := terminalStates(ctx, a, opts, newRelabel(a))
	return err
}

// terminalStates is TerminalStates with the cells relabelled by rl for the
// eigensolver; it returns the relabelled kernel, whose storage the caller
// may reuse.
func terminalStates(ctx context.Context, a *anndata.AnnData, opts TerminalOptions, rl relabel) (*array.CSR, error) {
	dist, err := distances(a)
	if err != nil {
		return nil, fmt.Errorf("terminal states: %w", err)
	}
	w := binaryWeights(dist)
	// One kernel K serves both chains: the forward chain's Tᵀ is the
	// transpose of K with rows normalised, the backward chain's
	// (normalise(Kᵀ))ᵀ is K with columns normalised.
	kern, err := newTransitionKernel(a, TransitionOptions{
		VKey:              opts.VKey,
		Scale:             opts.Scale,
		NoSelfTransitions: !opts.SelfTransitions,
	})
	if err != nil {
		return nil, fmt.Errorf("terminal states: %w", err)
	}
	k := rl.matrix(kernelRows(kern), nil, opts.Threads)
	c := newChain(k, opts.Threads)
	c.cells = rl.cells
	for _, s := range []struct {
		backward bool
		key      string
	}{{true, "root_cells"}, {false, "end_points"}} {
		if !s.backward {
			c.forward(opts.Threads)
		}
		score, err := terminalScore(ctx, c, rl, w, opts)
		if err != nil {
			return nil, fmt.Errorf("terminal states (%s): %w", s.key, err)
		}
		a.Obs.Set(s.key, score)
	}
	return k, nil
}

// terminalScore scores cells by the unit eigenvectors of the chain whose
// transposed transition matrix is tt, over cells relabelled by rl.
func terminalScore(ctx context.Context, tt *chain, rl relabel, w *array.CSR, opts TerminalOptions) ([]float64, error) {
	eps := opts.Eps
	if eps == 0 {
		eps = defaultEps
	}
	vecs, err := unitEigenvectors(ctx, tt, eps, opts.Threads)
	if err != nil {
		return nil, err
	}
	n := tt.k.Rows
	sum := make([]float64, n)
	for _, v := range vecs {
		for i, x := range v {
			sum[i] += x
		}
	}
	score := make([]float64, n)
	mulVec(w, rl.toCells(sum), score, opts.Threads)
	ub := numeric.Percentile(score, 98)
	for i, x := range score {
		score[i] = math.Min(math.Max(x, 0), ub)
	}
	return minMaxScale(score), nil
}

// unitEigenvectors returns the eigenvectors of tt (indexed like its
// kernel) whose eigenvalues have a real part ≥ 1 − eps among the
// terminalNev of largest real part, each
// post-processed as scVelo's eigs(perc=[2, 98]): absolute values, entries
// below the 2nd percentile set to 0, clipped at the 98th, divided by the
// maximum.
//
// Two guards keep rounding noise out, where scVelo would amplify it: entries
// below eigenNoise of a vector's largest magnitude count as 0, and a vector
// that the clipping leaves all zero (its support is under 2 % of the cells,
// e.g. the stationary state of a cell no other cell transitions to) is
// dropped instead of being divided by 0.
func unitEigenvectors(ctx context.Context, tt *chain, eps float64, threads int) ([][]float64, error) {
	n := tt.k.Rows
	p := eigenProblem{
		op:      func(dst, src []float64) { tt.apply(dst, src, threads) },
		n:       n,
		nev:     min(terminalNev, n),
		score:   func(z complex128) float64 { return real(z) },
		threads: threads,
	}
	// Only eigenvalues ≥ 1 − eps matter, so the rest of the spectrum need
	// not converge fully. The eigenvalue 1 is repeated once per closed
	// class of the chain, which a Krylov space finds late or not at all
	// (only through rounding), so its eigenvectors come from the classes
	// themselves (each class's stationary distribution): the iteration
	// starts from them when there are several, which spares it the many
	// restarts a (nearly) repeated eigenvalue costs, and they replace its
	// result when it found fewer than there are classes. The iteration
	// supplies the other eigenvalues ≥ 1 − eps: those of nearly closed
	// sets, however close to 1.
	p.partial, p.cutoff = true, 1-eps
	classes := tt.closedClasses()
	if len(classes) > p.nev {
		classes = classes[:p.nev]
	}
	var unit [][]float64 // the classes' stationary distributions
	var err error
	if len(classes) >= 2 {
		// A repeated eigenvalue 1: the iteration starts from its
		// eigenvectors.
		if unit, err = tt.stationaries(ctx, classes, threads); err != nil {
			return nil, err
		}
	}
	var pairs eigenPairs
	if len(classes) < p.nev {
		// (With at least nev classes the nev eigenvalues of largest real
		// part are all 1 and the classes' stationary distributions are
		// their eigenvectors: no iteration is needed.)
		p.lock = unit
		if len(classes) == 1 {
			p.budget = tt.unitBudget
			if p.budget == 0 {
				p.budget = simpleUnitBudget
			}
		}
		pairs, err = p.solve(ctx)
		if errors.Is(err, errBudget) {
			// Most likely a second eigenvalue within rounding of the
			// class's 1 (a nearly closed set outside it), which the
			// iteration resolves only slowly: it starts again from the
			// class's stationary distribution.
			if unit, err = tt.stationaries(ctx, classes, threads); err != nil {
				return nil, err
			}
			p.lock, p.budget = unit, 0
			pairs, err = p.solve(ctx)
		}
		if err != nil {
			return nil, err
		}
	}
	if unit == nil {
		found := 0
		for _, z := range pairs.values {
			if real(z) >= 1-unitSlack {
				found++
			}
		}
		if len(classes) > found {
			if unit, err = tt.stationaries(ctx, classes, threads); err != nil {
				return nil, err
			}
		}
	}
	var raw [][]float64
	var basis [][]float64 // orthonormal basis of the (near-)unit eigenvectors so far
	for _, v := range unit {
		raw = append(raw, v)
		if r := unitResidual(v, basis); r != nil {
			basis = append(basis, r)
		}
	}
	for k, z := range pairs.values {
		if len(raw) == p.nev {
			break
		}
		v := pairs.vectors[k]
		if real(z) < 1-eps {
			continue
		}
		if real(z) >= 1-unitSlack && len(unit) > 0 {
			// Eigenvalues this close to 1 are not told apart from the
			// classes' by the iteration, whose vectors then mix the two:
			// keep only the part outside the span found so far.
			r := unitResidual(v, basis)
			if r == nil {
				continue
			}
			basis = append(basis, r)
			v = r
		}
		raw = append(raw, v)
	}
	var out [][]float64
	for _, vec := range raw {
		v := make([]float64, n)
		peak := 0.0
		for i, x := range vec {
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

// unitResidual returns v with its components along the orthonormal basis
// removed (twice, for accuracy), scaled to unit norm, or nil when less than
// a thousandth of v's norm remains (v lies in the span).
func unitResidual(v []float64, basis [][]float64) []float64 {
	r := slices.Clone(v)
	before := norm2(r)
	for pass := 0; pass < 2; pass++ {
		for _, b := range basis {
			axpy(r, -dot(b, r), b)
		}
	}
	nr := norm2(r)
	if !(nr > 1e-3*before) {
		return nil
	}
	scaleTo(r, 1/nr)
	return r
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
