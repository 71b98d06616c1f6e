package graph

import (
	"fmt"
	"math"

	"github.com/velo-rna/velo/anndata"
	"github.com/velo-rna/velo/array"
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
	vkey := orDefault(opts.VKey, defaultVKey)
	pos, neg, err := velocityGraphs(a, vkey)
	if err != nil {
		return nil, err
	}
	scale := opts.Scale
	if scale == 0 {
		scale = defaultScale
	}
	n := pos.Rows
	var self []float64
	if !opts.NoSelfTransitions {
		self = selfTransitions(pos)
	}
	t := &array.CSR{Rows: n, Cols: n, Indptr: make([]int64, n+1)}
	for i := 0; i < n; i++ {
		pi, pv := pos.RowView(i)
		var ni []int32
		var nv []float32
		if neg != nil {
			ni, nv = neg.RowView(i)
		}
		p, q := 0, 0
		diagDone := self == nil
		for p < len(pi) || q < len(ni) || !diagDone {
			// The next column is the smallest among the positive entry,
			// the negative entry and the diagonal still to be placed.
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
				cp, hasP = self[i], true
				diagDone = true
			}
			v := kernelWeight(cp, cn, hasP, hasN, neg != nil, opts.UseNegativeCosines, scale)
			if v != 0 {
				t.Indices = append(t.Indices, col)
				t.Data = append(t.Data, float32(v))
			}
		}
		t.Indptr[i+1] = int64(len(t.Data))
	}
	if opts.Backward {
		t = t.Transpose()
	}
	normalizeAbsRows(t)
	return t, nil
}

// kernelWeight is the unnormalised transition weight of one entry holding
// positive-graph value cp and negative-graph value cn.
func kernelWeight(cp, cn float64, hasP, hasN, negGraph, useNeg bool, scale float64) float64 {
	w := 0.0
	if hasP {
		w = math.Expm1(scale * cp)
	}
	if !negGraph {
		return w
	}
	if useNeg {
		if hasN {
			w -= math.Expm1(-scale * cn)
		}
		return w
	}
	if hasN {
		w += math.Expm1(scale * cn)
	}
	if w == 0 {
		return 0 // dropped by the sparse addition before the +1
	}
	return w + 1
}

// normalizeAbsRows divides each row by the sum of its absolute values
// (scVelo's normalize on sparse input), leaving all-zero rows unchanged.
func normalizeAbsRows(t *array.CSR) {
	for i := 0; i < t.Rows; i++ {
		_, val := t.RowView(i)
		var s float64
		for _, v := range val {
			s += math.Abs(float64(v))
		}
		if s == 0 {
			continue
		}
		for k, v := range val {
			val[k] = float32(float64(v) / s)
		}
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
