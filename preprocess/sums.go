package preprocess

import "github.com/velo-rna/velo/array"

// rowSums32 returns the row sums of m exactly as scipy/numpy compute them
// for a float32 matrix (scipy reduces each CSR row with np.add.reduceat,
// numpy reduces dense rows the same way): see reduceSum32. Size factors and
// obs n_counts derive from these values, so they match scVelo bit for bit.
func rowSums32(m array.Matrix) []float32 {
	rows, _ := m.Shape()
	out := make([]float32, rows)
	switch t := m.(type) {
	case *array.CSR:
		for i := range out {
			_, val := t.RowView(i)
			out[i] = reduceSum32(val)
		}
	case *array.Dense:
		for i := range out {
			out[i] = reduceSum32(t.Row(i))
		}
	}
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
// number of positive entries.
func colStats(m array.Matrix) (sums []float64, positive []int) {
	_, cols := m.Shape()
	sums = make([]float64, cols)
	positive = make([]int, cols)
	add := func(j int, v float32) {
		sums[j] += float64(v)
		if v > 0 {
			positive[j]++
		}
	}
	switch t := m.(type) {
	case *array.CSR:
		for i := 0; i < t.Rows; i++ {
			idx, val := t.RowView(i)
			for k, j := range idx {
				add(int(j), val[k])
			}
		}
	case *array.Dense:
		for i := 0; i < t.Rows; i++ {
			for j, v := range t.Row(i) {
				add(j, v)
			}
		}
	}
	return sums, positive
}

// colMeans returns the float64 column means of m.
func colMeans(m array.Matrix) []float64 {
	rows, _ := m.Shape()
	sums, _ := colStats(m)
	for j := range sums {
		sums[j] /= float64(rows)
	}
	return sums
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
