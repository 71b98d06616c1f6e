package preprocess

import (
	"fmt"

	"github.com/velo-rna/velo/array"
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
// densified in tiles of 64 columns so that the kernel keeps a row's 64 sums
// in vector registers (rounding the product and the sum separately like
// scipy); adding w·0 leaves a float32 sum unchanged, so the dense form gives
// the sparse result. Callers smoothing many blocks with the same W should
// use a Smoother, which prepares W once.
func Smooth(w *array.CSR, x array.Matrix, threads int) *array.Dense {
	return NewSmoother(w).Smooth(x, threads)
}

// graphOrder returns the rows of w in breadth-first order over its graph
// (lowest unvisited row first for each component). Consecutive rows in
// this order share most neighbours, so smoothing them in this order reuses
// the neighbours' rows from cache; each output row is still computed on its
// own, so the order changes no result.
func graphOrder(w *array.CSR) []int32 {
	order := make([]int32, 0, w.Rows)
	seen := make([]bool, w.Rows)
	for start := 0; start < w.Rows; start++ {
		if seen[start] {
			continue
		}
		seen[start] = true
		order = append(order, int32(start))
		for q := len(order) - 1; q < len(order); q++ {
			idx, _ := w.RowView(int(order[q]))
			for _, j := range idx {
				if j := int(j); j < w.Rows && !seen[j] {
					seen[j] = true
					order = append(order, int32(j))
				}
			}
		}
	}
	return order
}

// SmoothProduct returns W·(A∘B) (∘ = elementwise product) restricted to the
// given columns, as used for scVelo's second-order moments Mss = W·(s∘s) and
// Mus = W·(s∘u). The result has len(cols) columns, in the order of cols
// (repeats allowed); products and sums are float32 as in scVelo, bit for
// bit. The products are formed tile by tile straight into Smooth's dense
// column tiles: neither A∘B nor a column subset is ever stored.
func SmoothProduct(w *array.CSR, a, b array.Matrix, cols []int, threads int) *array.Dense {
	return NewSmoother(w).SmoothProduct(a, b, cols, threads)
}
