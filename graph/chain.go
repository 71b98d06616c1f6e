package graph

import (
	"math"

	"github.com/velo-rna/velo/array"
	"github.com/velo-rna/velo/internal/parallel"
)

// chain is the transposed transition matrix tt of the backward or the
// forward Markov chain on one kernel k, held as k and the reciprocals of
// the normalising absolute sums, so neither normalised copy nor transpose
// is stored. The backward chain's tt = (normalise(kᵀ))ᵀ is k with its
// columns normalised; the forward chain's tt = normalise(k)ᵀ is applied by
// scattering the rows of k.
type chain struct {
	k         *array.CSR
	inv       []float64 // 1/absolute column (backward) or row (forward) sums; 0 where empty
	isForward bool
	cells     []int32 // cell of each label when k is relabelled (nil: the identity)
	comp      []int32 // strongly connected components of k, once found
	ncomp     int
	// unitBudget replaces simpleUnitBudget when positive.
	unitBudget int
	sc         *scatter
	tmp        []float64
}

// newChain returns the backward chain on k.
func newChain(k *array.CSR, threads int) *chain {
	c := &chain{k: k, sc: newScatter(k.Cols), tmp: make([]float64, k.Cols)}
	c.inv = c.sc.absColSums(k, threads)
	reciprocals(c.inv)
	return c
}

// forward turns c into the forward chain on the same kernel.
func (c *chain) forward(threads int) {
	c.isForward = true
	c.inv = rowAbsSums(c.k, threads)
	reciprocals(c.inv)
}

func reciprocals(s []float64) {
	for i, x := range s {
		if x != 0 {
			s[i] = 1 / x
		}
	}
}

// apply sets dst = tt·src.
func (c *chain) apply(dst, src []float64, threads int) {
	for i, x := range src {
		c.tmp[i] = c.inv[i] * x
	}
	if c.isForward {
		c.sc.mulT(c.k, c.tmp, dst, threads)
		return
	}
	mulVec(c.k, c.tmp, dst, threads)
}

// classBlock is tt restricted to some cells: dst = k·(scale ⊙ src), the
// kernel's entries kept as stored and the normalisation applied in
// float64, so the block is exactly tt's (no float32 rounding of the
// normalised entries).
type classBlock struct {
	k     *array.CSR
	scale []float64
}

func (b *classBlock) apply(dst, src, tmp []float64) {
	for i, x := range src {
		tmp[i] = b.scale[i] * x
	}
	mulVec(b.k, tmp, dst, 1)
}

// block returns tt restricted to the sorted cells members (rows and
// columns in that order). pos is scratch over all cells, −1 everywhere on
// entry and on return.
func (c *chain) block(members []int32, pos []int32) *classBlock {
	for k, m := range members {
		pos[m] = int32(k)
	}
	sub := &array.CSR{Rows: len(members), Cols: len(members), Indptr: make([]int64, len(members)+1)}
	for k, r := range members {
		idx, val := c.k.RowView(int(r))
		for q, j := range idx {
			if p := pos[j]; p >= 0 {
				sub.Indices = append(sub.Indices, p)
				sub.Data = append(sub.Data, val[q])
			}
		}
		sub.Indptr[k+1] = int64(len(sub.Indices))
	}
	scale := make([]float64, len(members))
	for k, m := range members {
		pos[m] = -1
		scale[k] = c.inv[m]
	}
	if c.isForward {
		sub = sub.Transpose()
	}
	return &classBlock{k: sub, scale: scale}
}

// rowAbsSums returns the float64 sum of the absolute values of each row.
func rowAbsSums(m *array.CSR, threads int) []float64 {
	s := make([]float64, m.Rows)
	parallel.For(m.Rows, rowChunk, threads, func(_, lo, hi int) {
		for i := lo; i < hi; i++ {
			_, val := m.RowView(i)
			var t float64
			for _, v := range val {
				t += math.Abs(float64(v))
			}
			s[i] = t
		}
	})
	return s
}
