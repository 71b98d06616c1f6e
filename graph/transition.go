package graph

import (
	"fmt"
	"math"

	"github.com/velo-rna/velo/anndata"
	"github.com/velo-rna/velo/array"
	"github.com/velo-rna/velo/internal/parallel"
)

// TransitionOptions configures TransitionMatrix. The zero value is
// scVelo's tl.transition_matrix defaults.
type TransitionOptions struct {
	// VKey prefixes the graph keys (scVelo vkey, default "velocity").
	VKey string
	// Scale is the kernel's inverse width applied to cosines (scVelo
	// scale, default 10).
	Scale float64
	// NoSelfTransitions drops the self-transition diagonal (scVelo
	// self_transitions=False; the default puts it in).
	NoSelfTransitions bool
	// UseNegativeCosines turns negative cosines into negative weights
	// −(e^{scale·|c|} − 1) instead of the default small positive weights
	// e^{scale·c} (scVelo use_negative_cosines, default false).
	UseNegativeCosines bool
	// Backward transposes the kernel before normalising (scVelo backward,
	// default false).
	Backward bool
	// Threads is the number of goroutines (0 = GOMAXPROCS).
	Threads int
}

// defaultScale is scVelo's kernel scale for transition probabilities.
const defaultScale = 10

// TransitionMatrix returns scVelo's transition matrix (tl.transition_matrix
// with basis, perc, threshold, n_neighbors and weight_indirect_neighbors
// unset): the exponential kernel of the velocity graph in
// uns[<vkey>_graph] and uns[<vkey>_graph_neg], with self-transition
// probabilities on the diagonal, each row divided by the sum of its absolute
// values.
//
// By default T_ij = e^{scale·c_ij} for every stored cosine (positive or
// negative) and T_ii = e^{scale·s_i} where s_i > 0 (a zero self-transition
// leaves no diagonal entry, as scipy's sparse addition drops zeros). With
// UseNegativeCosines, T_ij = sign(c)·(e^{scale·|c|} − 1) and
// T_ii = e^{scale·s_i} − 1. When uns holds no negative graph, T is
// e^{scale·c} − 1 on the positive entries, as in scVelo. Rows whose absolute
// sum is zero stay empty. Entries are float32 like scVelo's.
func TransitionMatrix(a *anndata.AnnData, opts TransitionOptions) (*array.CSR, error) {
	k, err := newTransitionKernel(a, opts)
	if err != nil {
		return nil, err
	}
	t := k.matrix(opts.Threads)
	if opts.Backward {
		t = t.Transpose()
	}
	normalizeAbsRows(t, opts.Threads)
	return t, nil
}

// transitionKernel yields the rows of the unnormalised transition kernel
// straight from the velocity graphs, so steps that use one row at a time
// never build the matrix.
type transitionKernel struct {
	pos, neg *array.CSR
	self     []float64 // self-transition probabilities; nil: no diagonal
	scale    float64
	useNeg   bool
}

func newTransitionKernel(a *anndata.AnnData, opts TransitionOptions) (*transitionKernel, error) {
	vkey := orDefault(opts.VKey, defaultVKey)
	pos, neg, err := velocityGraphs(a, vkey)
	if err != nil {
		return nil, err
	}
	k := &transitionKernel{pos: pos, neg: neg, scale: opts.Scale, useNeg: opts.UseNegativeCosines}
	if k.scale == 0 {
		k.scale = defaultScale
	}
	if !opts.NoSelfTransitions {
		k.self = selfTransitions(pos)
	}
	return k, nil
}

// maxRow bounds the number of entries of row i.
func (k *transitionKernel) maxRow(i int) int {
	c := int(k.pos.Indptr[i+1] - k.pos.Indptr[i])
	if k.neg != nil {
		c += int(k.neg.Indptr[i+1] - k.neg.Indptr[i])
	}
	if k.self != nil {
		c++
	}
	return c
}

// row returns row i of the kernel (sorted columns, zero weights dropped)
// in idx and w, reusing their storage. Weights are rounded to float32, as
// TransitionMatrix stores them before normalising.
func (k *transitionKernel) row(i int, idx []int32, w []float32) ([]int32, []float32) {
	idx, w = idx[:0], w[:0]
	pi, pv := k.pos.RowView(i)
	var ni []int32
	var nv []float32
	if k.neg != nil {
		ni, nv = k.neg.RowView(i)
	}
	p, q := 0, 0
	diagDone := k.self == nil
	for p < len(pi) || q < len(ni) || !diagDone {
		// The next column is the smallest among the positive entry, the
		// negative entry and the diagonal still to be placed.
		col := int32(math.MaxInt32)
		if p < len(pi) {
			col = pi[p]
		}
		if q < len(ni) && ni[q] < col {
			col = ni[q]
		}
		if !diagDone && int32(i) <= col {
			col = int32(i)
		}
		var cp, cn float64
		hasP, hasN := false, false
		if p < len(pi) && pi[p] == col {
			cp, hasP = float64(pv[p]), true
			p++
		}
		if q < len(ni) && ni[q] == col {
			cn, hasN = float64(nv[q]), true
			q++
		}
		if !diagDone && int32(i) == col {
			// scVelo's setdiag replaces any stored diagonal cosine.
			cp, hasP = k.self[i], true
			diagDone = true
		}
		v := kernelWeight(cp, cn, hasP, hasN, k.neg != nil, k.useNeg, k.scale)
		if v != 0 {
			idx = append(idx, col)
			w = append(w, float32(v))
		}
	}
	return idx, w
}

// matrix returns the unnormalised kernel as a CSR matrix. Rows are filled
// in parallel into slots sized by maxRow and then packed in place, so the
// entries are allocated once.
func (k *transitionKernel) matrix(threads int) *array.CSR {
	n := k.pos.Rows
	start := make([]int64, n+1)
	for i := 0; i < n; i++ {
		start[i+1] = start[i] + int64(k.maxRow(i))
	}
	t := &array.CSR{Rows: n, Cols: n, Indptr: make([]int64, n+1),
		Indices: make([]int32, start[n]), Data: make([]float32, start[n])}
	count := make([]int32, n)
	parallel.For(n, rowChunk, threads, func(_, lo, hi int) {
		for i := lo; i < hi; i++ {
			s, e := start[i], start[i+1]
			idx, _ := k.row(i, t.Indices[s:s:e], t.Data[s:s:e])
			count[i] = int32(len(idx))
		}
	})
	nnz := packRows(t, start, count)
	t.Indices, t.Data = t.Indices[:nnz:nnz], t.Data[:nnz:nnz]
	return t
}

// rowChunk is the number of rows one task of a row-wise sparse step
// processes.
const rowChunk = 512

// kernelWeight is the unnormalised transition weight of one entry holding
// positive-graph value cp and negative-graph value cn.
func kernelWeight(cp, cn float64, hasP, hasN, negGraph, useNeg bool, scale float64) float64 {
	w := 0.0
	if hasP {
		w = expm1(scale * cp)
	}
	if !negGraph {
		return w
	}
	if useNeg {
		if hasN {
			w -= expm1(-scale * cn)
		}
		return w
	}
	if hasN {
		w += expm1(scale * cn)
	}
	if w == 0 {
		return 0 // dropped by the sparse addition before the +1
	}
	return w + 1
}

// expm1 is e^x − 1 to within a few float64 ulps: math.Exp − 1 where that
// loses nothing a float32 weight keeps, a Taylor polynomial near 0. It
// replaces math.Expm1, which dominated the cost of building kernels.
func expm1(x float64) float64 {
	if x > 0.25 || x < -0.25 || x != x {
		return math.Exp(x) - 1
	}
	// Horner form of Σ_{k=1}^{13} x^k/k!; the first omitted term is below
	// 2e-17 relative for |x| ≤ 0.25.
	p := 1.0 / 6227020800
	p = p*x + 1.0/479001600
	p = p*x + 1.0/39916800
	p = p*x + 1.0/3628800
	p = p*x + 1.0/362880
	p = p*x + 1.0/40320
	p = p*x + 1.0/5040
	p = p*x + 1.0/720
	p = p*x + 1.0/120
	p = p*x + 1.0/24
	p = p*x + 1.0/6
	p = p*x + 0.5
	p = p*x + 1
	return p * x
}

// normalizeAbsRows divides each row by the sum of its absolute values
// (scVelo's normalize on sparse input), leaving all-zero rows unchanged.
func normalizeAbsRows(t *array.CSR, threads int) {
	parallel.For(t.Rows, rowChunk, threads, func(_, lo, hi int) {
		for i := lo; i < hi; i++ {
			_, val := t.RowView(i)
			normalizeAbs(val)
		}
	})
}

// normalizeAbs divides w by the sum of its absolute values (accumulated in
// float64, each result rounded to float32) unless that sum is zero.
func normalizeAbs(w []float32) {
	var s float64
	for _, v := range w {
		s += math.Abs(float64(v))
	}
	if s == 0 {
		return
	}
	for k, v := range w {
		w[k] = float32(float64(v) / s)
	}
}

// velocityGraphs returns uns[<vkey>_graph] and, when present,
// uns[<vkey>_graph_neg], checking their shapes.
func velocityGraphs(a *anndata.AnnData, vkey string) (pos, neg *array.CSR, err error) {
	n := a.NObs()
	get := func(key string) (*array.CSR, error) {
		g, ok := a.Uns[key].(*array.CSR)
		if !ok {
			return nil, nil
		}
		if g.Rows != n || g.Cols != n {
			return nil, fmt.Errorf("uns %q is %d×%d, want %d×%d", key, g.Rows, g.Cols, n, n)
		}
		return g, nil
	}
	pos, err = get(vkey + graphSuffix)
	if err != nil {
		return nil, nil, err
	}
	if pos == nil {
		return nil, nil, fmt.Errorf("uns %q is missing or not a sparse matrix: run the velocity graph first", vkey+graphSuffix)
	}
	neg, err = get(vkey + graphNegSuffix)
	return pos, neg, err
}
