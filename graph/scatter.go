package graph

import (
	"math"

	"github.com/velo-rna/velo/array"
	"github.com/velo-rna/velo/internal/parallel"
)

// scatterBlocks is the fixed number of row blocks whose partial sums a
// transposed product adds in block order: fixed, so the result does not
// depend on the thread count. Each block costs one vector of scratch.
const scatterBlocks = 8

// scatter applies transposed sparse matrices by scattering their rows
// into per-block accumulators, so no transpose is ever stored.
type scatter struct {
	n     int
	parts [scatterBlocks][]float64
}

func newScatter(n int) *scatter {
	s := &scatter{n: n}
	for b := range s.parts {
		s.parts[b] = make([]float64, n)
	}
	return s
}

// blockRows returns the rows of block b of m rows.
func blockRows(b, m int) (lo, hi int) {
	return b * m / scatterBlocks, (b + 1) * m / scatterBlocks
}

// merge sets dst[j] = add[j] + Σ_b parts[b][j] (add may be nil), summing in
// block order.
func (s *scatter) merge(dst, add []float64, threads int) {
	parallel.For(s.n, mulChunk, threads, func(_, lo, hi int) {
		for j := lo; j < hi; j++ {
			var t float64
			if add != nil {
				t = add[j]
			}
			for b := range s.parts {
				t += s.parts[b][j]
			}
			dst[j] = t
		}
	})
}

// mulT sets dst = mᵀ·x.
func (s *scatter) mulT(m *array.CSR, x, dst []float64, threads int) {
	parallel.For(scatterBlocks, 1, threads, func(_, blo, bhi int) {
		for b := blo; b < bhi; b++ {
			part := s.parts[b]
			clear(part)
			lo, hi := blockRows(b, m.Rows)
			for i := lo; i < hi; i++ {
				xi := x[i]
				if xi == 0 {
					continue
				}
				idx, val := m.RowView(i)
				val = val[:len(idx)]
				for k, j := range idx {
					part[j] += float64(val[k]) * xi
				}
			}
		}
	})
	s.merge(dst, nil, threads)
}

// absColSums returns the sum of the absolute values of each column of m.
func (s *scatter) absColSums(m *array.CSR, threads int) []float64 {
	parallel.For(scatterBlocks, 1, threads, func(_, blo, bhi int) {
		for b := blo; b < bhi; b++ {
			part := s.parts[b]
			clear(part)
			lo, hi := blockRows(b, m.Rows)
			for i := lo; i < hi; i++ {
				idx, val := m.RowView(i)
				val = val[:len(idx)]
				for k, j := range idx {
					part[j] += math.Abs(float64(val[k]))
				}
			}
		}
	})
	out := make([]float64, m.Cols)
	s.merge(out, nil, threads)
	return out
}

// mulSym sets dst = (G + Gᵀ)·y for G = pos − neg in one pass over the
// graphs: each row is gathered into gath and scattered into its block's
// accumulator. gath is scratch of length n.
func (s *scatter) mulSym(pos, neg *array.CSR, y, dst, gath []float64, threads int) {
	parallel.For(scatterBlocks, 1, threads, func(_, blo, bhi int) {
		for b := blo; b < bhi; b++ {
			part := s.parts[b]
			clear(part)
			lo, hi := blockRows(b, pos.Rows)
			for i := lo; i < hi; i++ {
				g := symRow(pos, i, y, part, 1)
				if neg != nil {
					g -= symRow(neg, i, y, part, -1)
				}
				gath[i] = g
			}
		}
	})
	s.merge(dst, gath, threads)
}

// symRow returns row i of m times y and adds sign·m_ij·y_i to part[j].
func symRow(m *array.CSR, i int, y, part []float64, sign float64) float64 {
	idx, val := m.RowView(i)
	val = val[:len(idx)]
	yi := sign * y[i]
	var g float64
	for k, j := range idx {
		v := float64(val[k])
		g += v * y[j]
		part[j] += v * yi
	}
	return g
}
