package preprocess

import (
	"github.com/velo-rna/velo/array"
	"github.com/velo-rna/velo/internal/parallel"
)

// rowSums32 returns the row sums of m exactly as scipy/numpy compute them
// for a float32 matrix (scipy reduces each CSR row with np.add.reduceat,
// numpy reduces dense rows the same way): see reduceSum32. Size factors and
// obs n_counts derive from these values, so they match scVelo bit for bit.
func rowSums32(m array.Matrix) []float32 {
	rows, _ := m.Shape()
	out := make([]float32, rows)
	parallel.For(rows, checkChunk, 0, func(_, lo, hi int) {
		for i := lo; i < hi; i++ {
			switch t := m.(type) {
			case *array.CSR:
				_, val := t.RowView(i)
				out[i] = reduceSum32(val)
			case *array.Dense:
				out[i] = reduceSum32(t.Row(i))
			}
		}
	})
	return out
}

// reduceSum32 is numpy's float32 add-reduction of a contiguous array: the
// first element, plus the pairwise sum of the others.
func reduceSum32(v []float32) float32 {
	if len(v) == 0 {
		return 0
	}
	return v[0] + pairwiseSum32(v[1:])
}

// pairwiseSum32 is numpy's pairwise_sum for float32: sequential below 8
// values, eight interleaved accumulators up to 128, halving (at a multiple
// of 8) above.
func pairwiseSum32(v []float32) float32 {
	n := len(v)
	switch {
	case n < 8:
		var s float32
		for _, x := range v {
			s += x
		}
		return s
	case n <= 128:
		var r [8]float32
		copy(r[:], v[:8])
		i := 8
		for ; i < n-n%8; i += 8 {
			for j := range r {
				r[j] += v[i+j]
			}
		}
		s := ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
		for ; i < n; i++ {
			s += v[i]
		}
		return s
	}
	h := n / 2
	h -= h % 8
	return pairwiseSum32(v[:h]) + pairwiseSum32(v[h:])
}

// colStats returns, per column, the float64 sum of the values and the
// number of positive entries. Row chunks count in parallel and merge in
// chunk order, so the sums do not depend on the number of threads.
func colStats(m array.Matrix) (sums []float64, positive []int) {
	rows, cols := m.Shape()
	return chunkedColumnStats(rows, cols, func(i int, s []float64, c []int) {
		var idx []int32
		var val []float32
		switch t := m.(type) {
		case *array.CSR:
			idx, val = t.RowView(i)
		case *array.Dense:
			val = t.Row(i)
		}
		for k, v := range val {
			j := col(idx, k)
			s[j] += float64(v)
			if v > 0 {
				c[j]++
			}
		}
	})
}

// chunkedColumnStats runs row(i, sums, counts) for every row, each chunk of
// rows on its own per-column accumulators, and adds the chunks' results in
// chunk order.
func chunkedColumnStats(rows, cols int, row func(i int, sums []float64, counts []int)) ([]float64, []int) {
	chunk := gramChunk(rows)
	nc := parallel.Chunks(rows, chunk)
	sums := make([][]float64, nc)
	counts := make([][]int, nc)
	parallel.For(rows, chunk, 0, func(c, lo, hi int) {
		s, n := make([]float64, cols), make([]int, cols)
		for i := lo; i < hi; i++ {
			row(i, s, n)
		}
		sums[c], counts[c] = s, n
	})
	if nc == 0 {
		return make([]float64, cols), make([]int, cols)
	}
	for c := 1; c < nc; c++ {
		for j := range sums[0] {
			sums[0][j] += sums[c][j]
			counts[0][j] += counts[c][j]
		}
	}
	return sums[0], counts[0]
}

// forEachRow calls fn with the stored (CSR) or all (dense) entries of each
// row: column indices (nil for dense, meaning 0..cols−1) and values.
func forEachRow(m array.Matrix, fn func(i int, idx []int32, val []float32)) {
	switch t := m.(type) {
	case *array.CSR:
		for i := 0; i < t.Rows; i++ {
			idx, val := t.RowView(i)
			fn(i, idx, val)
		}
	case *array.Dense:
		for i := 0; i < t.Rows; i++ {
			fn(i, nil, t.Row(i))
		}
	}
}

// col returns the column of entry k of a row given by forEachRow.
func col(idx []int32, k int) int {
	if idx == nil {
		return k
	}
	return int(idx[k])
}
