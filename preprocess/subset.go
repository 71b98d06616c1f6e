package preprocess

import (
	"github.com/velo-rna/velo/anndata"
	"github.com/velo-rna/velo/array"
	"github.com/velo-rna/velo/internal/parallel"
)

// subsetGenes keeps the genes at the strictly increasing positions keep in
// X, the layers, var and varm, like AnnData.SubsetVars, sizing the new
// sparse matrices in advance so filtering large matrices does not spend its
// time regrowing slices.
func subsetGenes(a *anndata.AnnData, keep []int) {
	newCol := make([]int32, a.NVars())
	for j := range newCol {
		newCol[j] = -1
	}
	for k, j := range keep {
		newCol[j] = int32(k)
	}
	sub := func(m array.Matrix) array.Matrix {
		switch t := m.(type) {
		case *array.CSR:
			return selectCSRColumns(t, newCol, len(keep))
		case *array.Dense:
			return t.SelectCols(keep)
		}
		panic("preprocess: unknown matrix type")
	}
	if a.X != nil {
		a.X = sub(a.X)
	}
	for k, m := range a.Layers {
		a.Layers[k] = sub(m)
	}
	for k, m := range a.Varm {
		a.Varm[k] = m.SelectRows(keep)
	}
	a.Var = a.Var.Subset(keep)
}

// selectCSRColumns keeps the columns with newCol[j] ≥ 0, renumbered to
// newCol[j] (increasing in j, so rows stay sorted). Rows are counted, then
// filled, in parallel chunks.
func selectCSRColumns(m *array.CSR, newCol []int32, cols int) *array.CSR {
	out := &array.CSR{Rows: m.Rows, Cols: cols, Indptr: make([]int64, m.Rows+1)}
	parallel.For(m.Rows, subsetChunk, 0, func(_, lo, hi int) {
		for i := lo; i < hi; i++ {
			idx, _ := m.RowView(i)
			var c int64
			for _, j := range idx {
				c += int64(uint32(^newCol[j]) >> 31) // 1 when newCol[j] ≥ 0
			}
			out.Indptr[i+1] = c
		}
	})
	for i := 0; i < m.Rows; i++ {
		out.Indptr[i+1] += out.Indptr[i]
	}
	nnz := out.Indptr[m.Rows]
	out.Indices = make([]int32, nnz)
	out.Data = make([]float32, nnz)
	parallel.For(m.Rows, subsetChunk, 0, func(_, lo, hi int) {
		for i := lo; i < hi; i++ {
			idx, val := m.RowView(i)
			p := out.Indptr[i]
			for k, j := range idx {
				if nj := newCol[j]; nj >= 0 {
					out.Indices[p], out.Data[p] = nj, val[k]
					p++
				}
			}
		}
	})
	return out
}

// subsetChunk is the number of rows one goroutine subsets at a time.
const subsetChunk = 512
