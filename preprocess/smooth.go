package preprocess

import (
	"fmt"
	"slices"
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
// gives the sparse result. One block buffer of at most smoothBlockValues
// floats is reused for all blocks.
func Smooth(w *array.CSR, x array.Matrix, threads int) *array.Dense {
	rows, cols := x.Shape()
	if w.Cols != rows {
		panic(fmt.Sprintf("preprocess: weights are %d×%d but data has %d rows", w.Rows, w.Cols, rows))
	}
	fill := func(block []float32, c0, c1 int) []float32 {
		switch m := x.(type) {
		case *array.CSR:
			parallel.For(rows, rowChunk, threads, func(_, lo, hi int) {
				for i := lo; i < hi; i++ {
					row := block[i*(c1-c0) : (i+1)*(c1-c0)]
					clear(row)
					idx, val := m.RowView(i)
					for k := searchCol(idx, c0); k < len(idx) && int(idx[k]) < c1; k++ {
						row[int(idx[k])-c0] = val[k]
					}
				}
			})
			return block
		case *array.Dense:
			if c0 == 0 && c1 == cols {
				return m.Data
			}
			parallel.For(rows, rowChunk, threads, func(_, lo, hi int) {
				for i := lo; i < hi; i++ {
					copy(block[i*(c1-c0):(i+1)*(c1-c0)], m.Data[i*cols+c0:i*cols+c1])
				}
			})
			return block
		}
		panic("preprocess: unknown matrix type")
	}
	return smoothBlocks(w, rows, cols, threads, fill)
}

// smoothBlockValues bounds the dense column block of Smooth and
// SmoothProduct (512 MiB of float32, small beside the n × G output): blocks
// are 512 columns wide, fewer from 262 144 cells on (128 at a million).
const smoothBlockValues = 1 << 27

// smoothBlocks computes W·D for the rows × cols matrix D that fill densifies
// block by block: fill(buf, c0, c1) returns columns [c0, c1) of D as a
// row-major block, in buf or elsewhere.
func smoothBlocks(w *array.CSR, rows, cols, threads int, fill func(buf []float32, c0, c1 int) []float32) *array.Dense {
	out := array.NewDense(w.Rows, cols)
	order := graphOrder(w)
	width := max(8, min(512, smoothBlockValues/max(rows, 1)&^7))
	buf := make([]float32, rows*min(width, cols))
	for c0 := 0; c0 < cols; c0 += width {
		c1 := min(c0+width, cols)
		bw := c1 - c0
		block := fill(buf[:rows*bw], c0, c1)
		parallel.For(w.Rows, rowChunk, threads, func(_, lo, hi int) {
			for _, i := range order[lo:hi] {
				dst := out.Data[int(i)*cols+c0 : int(i)*cols+c1]
				nbr, wt := w.RowView(int(i))
				for k, j := range nbr {
					axpy32(wt[k], block[int(j)*bw:(int(j)+1)*bw], dst)
				}
			}
		})
	}
	return out
}

// searchCol returns the position of the first column index ≥ c in a
// sorted row.
func searchCol(idx []int32, c int) int {
	return sort.Search(len(idx), func(k int) bool { return int(idx[k]) >= c })
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
// bit. The products are formed block by block straight into Smooth's
// dense column blocks: neither A∘B nor a column subset is ever stored.
func SmoothProduct(w *array.CSR, a, b array.Matrix, cols []int, threads int) *array.Dense {
	ra, ca := a.Shape()
	rb, cb := b.Shape()
	if ra != rb || ca != cb || w.Cols != ra {
		panic(fmt.Sprintf("preprocess: SmoothProduct shapes %d×%d, %d×%d with weights %d×%d", ra, ca, rb, cb, w.Rows, w.Cols))
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
	sa, sb := array.AsCSR(a), array.AsCSR(b)
	same := a == b
	fill := func(block []float32, c0, c1 int) []float32 {
		// Block columns [c0, c1) are the matrix columns uniq[c0..c1−1].
		lo, hi := uniq[c0], uniq[c1-1]+1
		bw := c1 - c0
		parallel.For(ra, rowChunk, threads, func(_, r0, r1 int) {
			for i := r0; i < r1; i++ {
				row := block[i*bw : (i+1)*bw]
				clear(row)
				ai, av := sa.RowView(i)
				x := searchCol(ai, lo)
				if same {
					for ; x < len(ai) && int(ai[x]) < hi; x++ {
						if c := newCol[ai[x]]; c >= 0 {
							row[int(c)-c0] = av[x] * av[x]
						}
					}
					continue
				}
				bi, bv := sb.RowView(i)
				z := searchCol(bi, lo)
				for x < len(ai) && z < len(bi) && int(ai[x]) < hi && int(bi[z]) < hi {
					switch ja, jb := ai[x], bi[z]; {
					case ja < jb:
						x++
					case jb < ja:
						z++
					default:
						if c := newCol[ja]; c >= 0 {
							row[int(c)-c0] = av[x] * bv[z]
						}
						x++
						z++
					}
				}
			}
		})
		return block
	}
	out := smoothBlocks(w, ra, len(uniq), threads, fill)
	if slices.Equal(uniq, cols) {
		return out
	}
	pos := make([]int, len(cols))
	for k, c := range cols {
		pos[k] = int(newCol[c])
	}
	return out.SelectCols(pos)
}

// axpy32Go adds alpha·x to y element by element in float32; the explicit
// conversion keeps the product rounded (no fused multiply-add).
func axpy32Go(alpha float32, x, y []float32) {
	y = y[:len(x)]
	for i, v := range x {
		y[i] += float32(alpha * v)
	}
}
