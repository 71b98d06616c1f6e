package graph

import (
	"context"
	"fmt"
	"math"

	"github.com/velo-rna/velo/anndata"
	"github.com/velo-rna/velo/array"
)

// PseudotimeOptions configures VelocityPseudotime. The zero value is
// scVelo's tl.velocity_pseudotime defaults.
type PseudotimeOptions struct {
	// VKey prefixes the graph keys and names the output (default
	// "velocity").
	VKey string
	// NDCs is the number of diffusion components (scVelo n_dcs,
	// default 10).
	NDCs int
	// Terminal configures TerminalStates when root cells or end points
	// have to be computed first.
	Terminal TerminalOptions
	// Threads is the number of goroutines (0 = GOMAXPROCS).
	Threads int
}

const (
	defaultNDCs = 10
	// dptUnit is scanpy's threshold above which a diffusion eigenvalue
	// counts as 1 (float32 precision) and enters unweighted.
	dptUnit = 0.9994
)

// VelocityPseudotime computes scVelo's velocity pseudotime
// (tl.velocity_pseudotime without groupby): a diffusion pseudotime on the
// symmetrised velocity graph K = G + Gᵀ with G = |cosine| (uns
// <vkey>_graph minus <vkey>_graph_neg), density-normalised and
// symmetrically normalised like scanpy's DPT, from its NDCs eigenvectors of
// largest magnitude. The root is the cell with the highest root score
// averaged over the cell and its neighbours (obsp connectivities, or
// distances when absent), likewise the end point; the pseudotime is the mean
// of the DPT distance from the root and one minus that from the end point,
// scaled to [0, 1], and NaN in cells not connected to either. Root and end
// scores come from obs root_cells and end_points when they vary, otherwise
// TerminalStates computes them. Result: obs <vkey>_pseudotime (float64).
//
// Eigenvectors come from a reproducible Krylov–Schur iteration rather than
// ARPACK's random start; the DPT distance does not depend on their signs or
// on the basis chosen within a repeated eigenvalue.
func VelocityPseudotime(ctx context.Context, a *anndata.AnnData, opts PseudotimeOptions) error {
	vkey := orDefault(opts.VKey, defaultVKey)
	rootKey, endKey := "", ""
	if usableScore(a, "root_cells") {
		rootKey = "root_cells"
	}
	if usableScore(a, "end_points") {
		endKey = "end_points"
	}
	rl := newRelabel(a)
	var kern *array.CSR // storage to reuse for the relabelled graph
	if rootKey == "" || constantColumn(a, rootKey) {
		term := opts.Terminal
		term.VKey = vkey
		if term.Threads == 0 {
			term.Threads = opts.Threads
		}
		var err error
		if kern, err = terminalStates(ctx, a, term, rl); err != nil {
			return fmt.Errorf("velocity pseudotime: %w", err)
		}
		rootKey, endKey = "root_cells", "end_points"
	}
	pos, neg, err := velocityGraphs(a, vkey)
	if err != nil {
		return fmt.Errorf("velocity pseudotime: %w", err)
	}
	// G in locality order, in the terminal states' kernel storage when
	// they were computed here (its slots bound every row of G too).
	g := rl.matrix(differenceRows(pos, neg), kern, opts.Threads)
	op := dptOperator(g, nil, opts.Threads)
	ndcs := opts.NDCs
	if ndcs == 0 {
		ndcs = defaultNDCs
	}
	n := a.NObs()
	ndcs = min(ndcs, n-1)
	if ndcs < 1 {
		return fmt.Errorf("velocity pseudotime: need at least 2 cells, have %d", n)
	}
	p := eigenProblem{
		op:      op,
		n:       n,
		nev:     ndcs,
		score:   func(z complex128) float64 { return math.Abs(real(z)) },
		threads: opts.Threads,
	}
	pairs, err := p.solve(ctx)
	if err != nil {
		return fmt.Errorf("velocity pseudotime: diffusion components: %w", err)
	}
	for c, v := range pairs.vectors {
		pairs.vectors[c] = rl.toCells(v)
	}
	smooth, labels, err := rootWeights(a)
	if err != nil {
		return fmt.Errorf("velocity pseudotime: %w", err)
	}
	fromRoot, err := dptFrom(a, rootKey, smooth, labels, pairs, false)
	if err != nil {
		return fmt.Errorf("velocity pseudotime: %w", err)
	}
	pt := fromRoot
	if endKey != "" {
		fromEnd, err := dptFrom(a, endKey, smooth, labels, pairs, true)
		if err != nil {
			return fmt.Errorf("velocity pseudotime: %w", err)
		}
		pt = make([]float64, n)
		for i := range pt {
			r, e := fromRoot[i], fromEnd[i]
			pt[i] = nanToZero(r) + nanToZero(e)
			if !math.IsNaN(r) && !math.IsNaN(e) {
				pt[i] /= 2
			}
		}
		pt = minMaxScale(pt)
		for i := range pt {
			if math.IsNaN(fromRoot[i]) && math.IsNaN(fromEnd[i]) {
				pt[i] = math.NaN()
			}
		}
	}
	a.Obs.Set(vkey+"_pseudotime", pt)
	return nil
}

func nanToZero(x float64) float64 {
	if math.IsNaN(x) {
		return 0
	}
	return x
}

// usableScore reports whether obs[key] is numeric with a non-NaN first
// value (scVelo's test before reusing root_cells / end_points).
func usableScore(a *anndata.AnnData, key string) bool {
	v, err := a.Obs.Float64(key)
	return err == nil && len(v) > 0 && !math.IsNaN(v[0])
}

func constantColumn(a *anndata.AnnData, key string) bool {
	v, _ := a.Obs.Float64(key)
	for _, x := range v {
		if x != v[0] {
			return false
		}
	}
	return true
}

// dptOperator returns scanpy's DPT transition matrix for K = G + Gᵀ,
// G = pos − neg, as an operator: density normalisation K' = Q⁻¹KQ⁻¹ with q
// the row sums of K (zero sums replaced by 1), then Z⁻¹K'Z⁻¹ with z = √(row
// sums of K'). Both scalings are symmetric, so the matrix is F·K·F with
// f_i = 1/(q_i·√z_i), and K·y is applied straight from the graphs (Gᵀ by
// scatter), with neg nil when pos already holds G.
func dptOperator(pos, neg *array.CSR, threads int) operator {
	n := pos.Rows
	sc := newScatter(n)
	gath := make([]float64, n)
	ones := make([]float64, n)
	for i := range ones {
		ones[i] = 1
	}
	q := make([]float64, n)
	sc.mulSym(pos, neg, ones, q, gath, threads)
	f := make([]float64, n)
	for i := range q {
		if q[i] == 0 {
			q[i] = 1
		}
		f[i] = 1 / q[i]
	}
	z := make([]float64, n)
	sc.mulSym(pos, neg, f, z, gath, threads)
	for i := range f {
		zi := z[i] / q[i]
		if zi == 0 {
			f[i] = 0 // isolated cell: its row and column are empty anyway
			continue
		}
		f[i] = 1 / (q[i] * math.Sqrt(zi))
	}
	y := ones
	return func(dst, src []float64) {
		for i, x := range src {
			y[i] = f[i] * x
		}
		sc.mulSym(pos, neg, y, dst, gath, threads)
		for i := range dst {
			dst[i] *= f[i]
		}
	}
}

// rootWeights returns the smoothing weights used to pick the root cell and
// the weakly connected components scanpy's DPT restricts distances to, both
// from obsp connectivities (distances when absent).
func rootWeights(a *anndata.AnnData) (*array.CSR, []int, error) {
	g, ok := a.Obsp[connectivityKey]
	if !ok || g == nil {
		var err error
		if g, err = distances(a); err != nil {
			return nil, nil, err
		}
	}
	if g.Rows != a.NObs() || g.Cols != a.NObs() {
		return nil, nil, fmt.Errorf("obsp neighbour graph is %d×%d, want %d×%d", g.Rows, g.Cols, a.NObs(), a.NObs())
	}
	labels, _ := weakComponents(g)
	return binaryWeights(g), labels, nil
}

// dptFrom returns the DPT distance of every cell from the cell with the
// highest smoothed obs[key] score, divided by its largest finite value (one
// minus that with inverse), NaN outside the root's component or when the
// score is all zero.
func dptFrom(a *anndata.AnnData, key string, smooth *array.CSR, labels []int, pairs eigenPairs, inverse bool) ([]float64, error) {
	score, err := a.Obs.Float64(key)
	if err != nil {
		return nil, fmt.Errorf("obs %q: %w", key, err)
	}
	n := len(score)
	out := make([]float64, n)
	top := math.Inf(-1)
	for _, x := range score {
		top = math.Max(top, x)
	}
	if top == 0 {
		for i := range out {
			out[i] = math.NaN()
		}
		return out, nil
	}
	sm := make([]float64, n)
	mulVec(smooth, score, sm, 1)
	root := 0
	for i, x := range sm {
		if x > sm[root] {
			root = i
		}
	}
	for c, lam := range pairs.values {
		psi := pairs.vectors[c]
		w := 1.0
		if l := real(lam); l < dptUnit {
			w = l / (1 - l)
		}
		for i := range out {
			d := w * (psi[root] - psi[i])
			out[i] += d * d
		}
	}
	mx := 0.0
	for i := range out {
		if labels[i] != labels[root] {
			out[i] = math.Inf(1)
			continue
		}
		out[i] = math.Sqrt(out[i])
		mx = math.Max(mx, out[i])
	}
	for i := range out {
		out[i] /= mx
		if inverse {
			out[i] = 1 - out[i]
		}
		if math.IsInf(out[i], 0) || math.IsNaN(out[i]) {
			out[i] = math.NaN()
		}
	}
	return out, nil
}
