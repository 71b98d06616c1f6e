package preprocess

import (
	"fmt"

	"github.com/velo-rna/velo/array"
	"github.com/velo-rna/velo/internal/parallel"
)

// rowChunk is the number of cells one goroutine smooths at a time.
const rowChunk = 256

// ConnectivityWeights turns a neighbour graph into scVelo's moment weights
// (pp.moments with mode='connectivities'): every stored positive entry
// becomes 1, the diagonal is set to 1 so each cell averages over itself, and
// rows are normalised to sum to 1. Row i therefore weights the cell and each
// of its graph neighbours by 1/(1+|N(i)|).
func ConnectivityWeights(graph *array.CSR) *array.CSR {
	if graph.Rows != graph.Cols {
		panic(fmt.Sprintf("preprocess: graph is %d×%d, want square", graph.Rows, graph.Cols))
	}
	w := &array.CSR{Rows: graph.Rows, Cols: graph.Cols, Indptr: make([]int64, graph.Rows+1)}
	for i := 0; i < graph.Rows; i++ {
		idx, val := graph.RowView(i)
		start := len(w.Indices)
		selfDone := false
		for k, j := range idx {
			if !selfDone && int(j) >= i {
				w.Indices = append(w.Indices, int32(i))
				selfDone = true
				if int(j) == i {
					continue
				}
			}
			if int(j) != i && val[k] > 0 {
				w.Indices = append(w.Indices, j)
			}
		}
		if !selfDone {
			w.Indices = append(w.Indices, int32(i))
		}
		deg := len(w.Indices) - start
		inv := float32(1) / float32(deg)
		for k := 0; k < deg; k++ {
			w.Data = append(w.Data, inv)
		}
		w.Indptr[i+1] = int64(len(w.Indices))
	}
	return w
}

// Smooth returns W·X as a dense float32 matrix: for moment weights W each row
// is the mean of X over a cell and its neighbours (scVelo's Ms, Mu).
// Sums are accumulated in float64, which is closer to exact than scVelo's
// float32 sparse product; the difference is at float32 rounding level.
func Smooth(w *array.CSR, x array.Matrix, threads int) *array.Dense {
	rows, cols := x.Shape()
	if w.Cols != rows {
		panic(fmt.Sprintf("preprocess: weights are %d×%d but data has %d rows", w.Rows, w.Cols, rows))
	}
	out := array.NewDense(w.Rows, cols)
	smoothInto(out, w, x, 0, cols, threads)
	return out
}

// SmoothProduct returns W·(A∘B) (∘ = elementwise product) restricted to the
// given columns, as used for scVelo's second-order moments Mss = W·(s∘s) and
// Mus = W·(s∘u). The result has len(cols) columns.
func SmoothProduct(w *array.CSR, a, b array.Matrix, cols []int, threads int) *array.Dense {
	ra, ca := a.Shape()
	rb, cb := b.Shape()
	if ra != rb || ca != cb || w.Cols != ra {
		panic(fmt.Sprintf("preprocess: SmoothProduct shapes %d×%d, %d×%d with weights %d×%d", ra, ca, rb, cb, w.Rows, w.Cols))
	}
	prod := elementwiseProduct(selectCols(a, cols), selectCols(b, cols))
	return Smooth(w, prod, threads)
}

// smoothInto writes columns [c0, c1) of W·X into dst (which has c1−c0 columns).
func smoothInto(dst *array.Dense, w *array.CSR, x array.Matrix, c0, c1, threads int) {
	width := c1 - c0
	parallel.For(w.Rows, rowChunk, threads, func(_, lo, hi int) {
		acc := make([]float64, width)
		for i := lo; i < hi; i++ {
			clear(acc)
			nbr, wt := w.RowView(i)
			for k, j := range nbr {
				addRow(acc, x, int(j), float64(wt[k]), c0, c1)
			}
			row := dst.Row(i)
			for g, v := range acc {
				row[g] = float32(v)
			}
		}
	})
}

// addRow adds weight·X[j, c0:c1] to acc.
func addRow(acc []float64, x array.Matrix, j int, weight float64, c0, c1 int) {
	switch m := x.(type) {
	case *array.Dense:
		for g, v := range m.Row(j)[c0:c1] {
			acc[g] += weight * float64(v)
		}
	case *array.CSR:
		idx, val := m.RowView(j)
		for k, g := range idx {
			if int(g) >= c0 && int(g) < c1 {
				acc[int(g)-c0] += weight * float64(val[k])
			}
		}
	default:
		panic("preprocess: unknown matrix type")
	}
}

func selectCols(m array.Matrix, cols []int) array.Matrix {
	switch t := m.(type) {
	case *array.Dense:
		return t.SelectCols(cols)
	case *array.CSR:
		return t.SelectCols(cols)
	}
	panic("preprocess: unknown matrix type")
}

// elementwiseProduct returns A∘B, sparse when either factor is sparse.
func elementwiseProduct(a, b array.Matrix) array.Matrix {
	ad, aDense := a.(*array.Dense)
	bd, bDense := b.(*array.Dense)
	if aDense && bDense {
		out := array.NewDense(ad.Rows, ad.Cols)
		for k := range out.Data {
			out.Data[k] = ad.Data[k] * bd.Data[k]
		}
		return out
	}
	if aDense {
		a, b = b, a
	}
	sa := a.(*array.CSR)
	out := &array.CSR{Rows: sa.Rows, Cols: sa.Cols, Indptr: make([]int64, sa.Rows+1)}
	for i := 0; i < sa.Rows; i++ {
		idx, val := sa.RowView(i)
		for k, j := range idx {
			var bv float32
			if bDense {
				bv = bd.At(i, int(j))
			} else {
				bv = b.(*array.CSR).At(i, int(j))
			}
			if p := val[k] * bv; p != 0 {
				out.Indices = append(out.Indices, j)
				out.Data = append(out.Data, p)
			}
		}
		out.Indptr[i+1] = int64(len(out.Data))
	}
	return out
}
