package preprocess

import (
	"fmt"
	"sort"

	"github.com/velo-rna/velo/array"
	"github.com/velo-rna/velo/internal/parallel"
)

// rowChunk is the number of cells one goroutine smooths at a time.
const rowChunk = 256

// ConnectivityWeights turns a neighbour graph into scVelo's moment weights
// (pp.moments with mode='connectivities'): every stored positive entry
// becomes 1, the diagonal is set to 1 so each cell averages over itself, and
// rows are normalised to sum to 1. Row i therefore weights the cell and each
// of its graph neighbours by 1/(1+|N(i)|), stored as float32 as scVelo does.
func ConnectivityWeights(graph *array.CSR) *array.CSR {
	if graph.Rows != graph.Cols {
		panic(fmt.Sprintf("preprocess: graph is %d×%d, want square", graph.Rows, graph.Cols))
	}
	w := &array.CSR{Rows: graph.Rows, Cols: graph.Cols, Indptr: make([]int64, graph.Rows+1),
		Indices: make([]int32, 0, graph.NNZ()+graph.Rows), Data: make([]float32, 0, graph.NNZ()+graph.Rows)}
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
//
// The sums reproduce scipy's sparse product bit for bit: each output entry
// accumulates float32 products w·x in float32, over W's row in column order.
// scVelo computes Ms and Mu that way, and matching it exactly keeps every
// later step (quantile selection, regressions) on the same numbers. X is
// processed in dense column blocks so the inner loop is a contiguous
// float32 axpy (vectorised, rounding the product and the sum separately
// like scipy); adding w·0 leaves a float32 sum unchanged, so the dense form
// gives the sparse result.
func Smooth(w *array.CSR, x array.Matrix, threads int) *array.Dense {
	rows, cols := x.Shape()
	if w.Cols != rows {
		panic(fmt.Sprintf("preprocess: weights are %d×%d but data has %d rows", w.Rows, w.Cols, rows))
	}
	out := array.NewDense(w.Rows, cols)
	order := graphOrder(w)
	for c0 := 0; c0 < cols; c0 += smoothBlock {
		c1 := min(c0+smoothBlock, cols)
		width := c1 - c0
		block := denseColumns(x, c0, c1)
		parallel.For(w.Rows, rowChunk, threads, func(_, lo, hi int) {
			for _, i := range order[lo:hi] {
				dst := out.Data[i*cols+c0 : i*cols+c1]
				nbr, wt := w.RowView(i)
				for k, j := range nbr {
					axpy32(wt[k], block[int(j)*width:(int(j)+1)*width], dst)
				}
			}
		})
	}
	return out
}

// graphOrder returns the rows of w in breadth-first order over its graph
// (lowest unvisited row first for each component). Consecutive rows in
// this order share most neighbours, so smoothing them in this order reuses
// the neighbours' rows from cache; each output row is still computed on its
// own, so the order changes no result.
func graphOrder(w *array.CSR) []int {
	order := make([]int, 0, w.Rows)
	seen := make([]bool, w.Rows)
	for start := 0; start < w.Rows; start++ {
		if seen[start] {
			continue
		}
		seen[start] = true
		order = append(order, start)
		for q := len(order) - 1; q < len(order); q++ {
			idx, _ := w.RowView(order[q])
			for _, j := range idx {
				if j := int(j); j < w.Rows && !seen[j] {
					seen[j] = true
					order = append(order, j)
				}
			}
		}
	}
	return order
}

// smoothBlock is the number of columns of X densified at a time.
const smoothBlock = 512

// denseColumns returns columns [c0, c1) of x as a dense row-major block.
func denseColumns(x array.Matrix, c0, c1 int) []float32 {
	rows, cols := x.Shape()
	width := c1 - c0
	out := make([]float32, rows*width)
	switch m := x.(type) {
	case *array.Dense:
		for i := 0; i < rows; i++ {
			copy(out[i*width:(i+1)*width], m.Data[i*cols+c0:i*cols+c1])
		}
	case *array.CSR:
		parallel.For(rows, rowChunk, 0, func(_, lo, hi int) {
			for i := lo; i < hi; i++ {
				idx, val := m.RowView(i)
				k := sort.Search(len(idx), func(k int) bool { return int(idx[k]) >= c0 })
				row := out[i*width : (i+1)*width]
				for ; k < len(idx) && int(idx[k]) < c1; k++ {
					row[int(idx[k])-c0] = val[k]
				}
			}
		})
	default:
		panic("preprocess: unknown matrix type")
	}
	return out
}

// SmoothProduct returns W·(A∘B) (∘ = elementwise product) restricted to the
// given columns, as used for scVelo's second-order moments Mss = W·(s∘s) and
// Mus = W·(s∘u). The result has len(cols) columns; products and sums are
// float32 as in scVelo.
func SmoothProduct(w *array.CSR, a, b array.Matrix, cols []int, threads int) *array.Dense {
	ra, ca := a.Shape()
	rb, cb := b.Shape()
	if ra != rb || ca != cb || w.Cols != ra {
		panic(fmt.Sprintf("preprocess: SmoothProduct shapes %d×%d, %d×%d with weights %d×%d", ra, ca, rb, cb, w.Rows, w.Cols))
	}
	prod := elementwiseProduct(selectColumns(a, cols), selectColumns(b, cols))
	return Smooth(w, prod, threads)
}

// elementwiseProduct returns A∘B as CSR, storing only non-zero products.
func elementwiseProduct(a, b array.Matrix) *array.CSR {
	sa, sb := array.AsCSR(a), array.AsCSR(b)
	out := &array.CSR{Rows: sa.Rows, Cols: sa.Cols, Indptr: make([]int64, sa.Rows+1)}
	for i := 0; i < sa.Rows; i++ {
		ai, av := sa.RowView(i)
		bi, bv := sb.RowView(i)
		x, y := 0, 0
		for x < len(ai) && y < len(bi) {
			switch {
			case ai[x] < bi[y]:
				x++
			case bi[y] < ai[x]:
				y++
			default:
				if p := av[x] * bv[y]; p != 0 {
					out.Indices = append(out.Indices, ai[x])
					out.Data = append(out.Data, p)
				}
				x++
				y++
			}
		}
		out.Indptr[i+1] = int64(len(out.Data))
	}
	return out
}

// axpy32Go adds alpha·x to y element by element in float32; the explicit
// conversion keeps the product rounded (no fused multiply-add).
func axpy32Go(alpha float32, x, y []float32) {
	y = y[:len(x)]
	for i, v := range x {
		y[i] += float32(alpha * v)
	}
}
