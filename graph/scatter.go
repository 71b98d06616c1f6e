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
// Four partial sums keep the gathered additions from waiting on each
// other.
func symRow(m *array.CSR, i int, y, part []float64, sign float64) float64 {
	idx, val := m.RowView(i)
	val = val[:len(idx)]
	yi := sign * y[i]
	var g0, g1, g2, g3 float64
	k := 0
	for ; k+4 <= len(idx); k += 4 {
		j, v := idx[k:k+4:k+4], val[k:k+4:k+4]
		v0, v1, v2, v3 := float64(v[0]), float64(v[1]), float64(v[2]), float64(v[3])
		g0 += v0 * y[j[0]]
		g1 += v1 * y[j[1]]
		g2 += v2 * y[j[2]]
		g3 += v3 * y[j[3]]
		part[j[0]] += v0 * yi
		part[j[1]] += v1 * yi
		part[j[2]] += v2 * yi
		part[j[3]] += v3 * yi
	}
	for ; k < len(idx); k++ {
		v := float64(val[k])
		g0 += v * y[idx[k]]
		part[idx[k]] += v * yi
	}
	return (g0 + g1) + (g2 + g3)
}
