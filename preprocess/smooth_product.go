package preprocess

import (
	"fmt"
	"slices"

	"github.com/velo-rna/velo/array"
	"github.com/velo-rna/velo/internal/parallel"
)

// SmoothProduct returns W·(A∘B) restricted to the given columns (see the
// function SmoothProduct).
func (s *Smoother) SmoothProduct(a, b array.Matrix, cols []int, threads int) *array.Dense {
	ra, ca := a.Shape()
	rb, cb := b.Shape()
	if ra != rb || ca != cb || s.cols != ra {
		panic(fmt.Sprintf("preprocess: SmoothProduct shapes %d×%d, %d×%d with weights %d×%d", ra, ca, rb, cb, s.rows, s.cols))
	}
	uniq := slices.Clone(cols)
	slices.Sort(uniq)
	uniq = slices.Compact(uniq)
	newCol := make([]int32, ca)
	for j := range newCol {
		newCol[j] = -1
	}
	for p, c := range uniq {
		if c < 0 || c >= ca {
			panic(fmt.Sprintf("preprocess: SmoothProduct column %d outside [0, %d)", c, ca))
		}
		newCol[c] = int32(p)
	}
	out := s.Smooth(productCSR(array.AsCSR(a), array.AsCSR(b), a == b, newCol, len(uniq), threads), threads)
	if slices.Equal(uniq, cols) {
		return out
	}
	pos := make([]int, len(cols))
	for k, c := range cols {
		pos[k] = int(newCol[c])
	}
	return out.SelectCols(pos)
}

// productCSR returns the entries of A∘B in the columns that newCol maps
// (to newCol[c] ≥ 0, increasing with c), as a CSR matrix with ncols
// columns: the float32 products of the entries both store, the zeros a
// dense product would add left out (adding w·0 leaves a float32 sum as it
// is). same says that A and B are one matrix.
func productCSR(a, b *array.CSR, same bool, newCol []int32, ncols, threads int) *array.CSR {
	p := &array.CSR{Rows: a.Rows, Cols: ncols, Indptr: make([]int64, a.Rows+1)}
	// each writes row i's products in column order to idx and val and
	// returns their count.
	each := func(i int, idx []int32, val []float32) int {
		ai, av := a.RowView(i)
		n := 0
		if same {
			for x, j := range ai {
				if c := newCol[j]; c >= 0 {
					idx[n], val[n] = c, av[x]*av[x]
					n++
				}
			}
			return n
		}
		bi, bv := b.RowView(i)
		for x, z := 0, 0; x < len(ai) && z < len(bi); {
			switch ja, jb := ai[x], bi[z]; {
			case ja < jb:
				x++
			case jb < ja:
				z++
			default:
				if c := newCol[ja]; c >= 0 {
					idx[n], val[n] = c, av[x]*bv[z]
					n++
				}
				x++
				z++
			}
		}
		return n
	}
	// Each chunk of rows collects its products on its own; the chunks are
	// then joined in order.
	type part struct {
		idx []int32
		val []float32
	}
	parts := make([]part, parallel.Chunks(a.Rows, rowChunk))
	parallel.For(a.Rows, rowChunk, threads, func(c, lo, hi int) {
		var pt part
		for i := lo; i < hi; i++ {
			m, most := len(pt.idx), int(a.Indptr[i+1]-a.Indptr[i])
			pt.idx, pt.val = slices.Grow(pt.idx, most)[:m+most], slices.Grow(pt.val, most)[:m+most]
			k := each(i, pt.idx[m:], pt.val[m:])
			pt.idx, pt.val = pt.idx[:m+k], pt.val[:m+k]
			p.Indptr[i+1] = int64(k)
		}
		parts[c] = pt
	})
	for i := 0; i < a.Rows; i++ {
		p.Indptr[i+1] += p.Indptr[i]
	}
	p.Indices = make([]int32, p.Indptr[a.Rows])
	p.Data = make([]float32, p.Indptr[a.Rows])
	parallel.For(a.Rows, rowChunk, threads, func(c, lo, _ int) {
		copy(p.Indices[p.Indptr[lo]:], parts[c].idx)
		copy(p.Data[p.Indptr[lo]:], parts[c].val)
	})
	return p
}
