package graph

import (
	"github.com/velo-rna/velo/array"
	"github.com/velo-rna/velo/internal/parallel"
)

// geneRows gives read access to the velocity-gene columns of a layer, row
// by row. When those genes are all the columns of a dense layer (the graph
// steps run on a view restricted to the velocity genes), the rows are the
// layer's own storage and nothing is copied; otherwise they are gathered
// once into a dense cells × genes copy.
type geneRows struct {
	data   []float32
	stride int // distance between rows in data
	g      int // genes per row
	// padded: rows are followed by zeros up to stride, a multiple of
	// kernelBlock, which the vector kernels read instead of copying.
	padded bool
}

func (r geneRows) row(i int) []float32 { return r.data[i*r.stride : i*r.stride+r.g] }

// newGeneRows returns the genes of m (positions in increasing order); a
// gathered copy is padded with zeros to whole kernel blocks when pad is
// set.
func newGeneRows(m array.Matrix, genes []int, threads int, pad bool) geneRows {
	if d, ok := m.(*array.Dense); ok && isPrefix(genes, d.Cols) {
		return geneRows{data: d.Data, stride: d.Cols, g: len(genes)}
	}
	r := geneRows{stride: len(genes), g: len(genes), padded: pad}
	if pad {
		r.stride = (len(genes) + kernelBlock - 1) / kernelBlock * kernelBlock
	}
	r.data = gatherPadded(m, genes, r.stride, threads).Data
	return r
}

// isPrefix reports whether genes is 0, 1, …, cols−1.
func isPrefix(genes []int, cols int) bool {
	if len(genes) != cols {
		return false
	}
	for k, j := range genes {
		if j != k {
			return false
		}
	}
	return true
}

// gatherRows copies the given columns of m into a dense cells × genes
// matrix, rows in parallel.
func gatherRows(m array.Matrix, genes []int, threads int) *array.Dense {
	return gatherPadded(m, genes, len(genes), threads)
}

// gatherPadded copies the given columns of m into a dense matrix of the
// given width (≥ len(genes); the rest stays zero), rows in parallel.
func gatherPadded(m array.Matrix, genes []int, width, threads int) *array.Dense {
	r, _ := m.Shape()
	out := array.NewDense(r, width)
	rows := newRowReader(m, genes)
	parallel.For(r, rowChunk, threads, func(_, lo, hi int) {
		for i := lo; i < hi; i++ {
			rows.into(i, out.Row(i))
		}
	})
	return out
}

// rowReader copies the selected columns of one row at a time.
type rowReader struct {
	m     array.Matrix
	genes []int
	pos   []int // CSR only: column → position in genes, −1 when not selected
}

func newRowReader(m array.Matrix, genes []int) rowReader {
	rr := rowReader{m: m, genes: genes}
	if _, ok := m.(*array.CSR); ok {
		_, c := m.Shape()
		rr.pos = make([]int, c)
		for j := range rr.pos {
			rr.pos[j] = -1
		}
		for k, j := range genes {
			rr.pos[j] = k
		}
	}
	return rr
}

// into writes row i's selected columns to dst[:len(genes)].
func (rr rowReader) into(i int, dst []float32) {
	switch t := rr.m.(type) {
	case *array.Dense:
		src := t.Row(i)
		for k, j := range rr.genes {
			dst[k] = src[j]
		}
	case *array.CSR:
		clear(dst[:len(rr.genes)])
		idx, val := t.RowView(i)
		for k, j := range idx {
			if p := rr.pos[j]; p >= 0 {
				dst[p] = val[k]
			}
		}
	default:
		panic("graph: unknown matrix type")
	}
}
