package array

import (
	"fmt"
	"sort"
)

// CSR is a compressed sparse row matrix. The column indices of row i are
// Indices[Indptr[i]:Indptr[i+1]] with values in the same range of Data.
// Column indices within a row are sorted and unique unless a function says
// otherwise (Validate checks it).
type CSR struct {
	Rows, Cols int
	Indptr     []int64
	Indices    []int32
	Data       []float32
}

// NewCSR returns an empty rows × cols CSR matrix (no stored entries).
func NewCSR(rows, cols int) *CSR {
	return &CSR{Rows: rows, Cols: cols, Indptr: make([]int64, rows+1)}
}

// Shape returns the number of rows and columns.
func (m *CSR) Shape() (int, int) { return m.Rows, m.Cols }

// NNZ returns the number of stored entries.
func (m *CSR) NNZ() int { return len(m.Data) }

// RowView returns the column indices and values of row i, aliasing storage.
func (m *CSR) RowView(i int) ([]int32, []float32) {
	a, b := m.Indptr[i], m.Indptr[i+1]
	return m.Indices[a:b], m.Data[a:b]
}

// At returns element (i, j) by binary search within row i.
func (m *CSR) At(i, j int) float32 {
	idx, val := m.RowView(i)
	k := sort.Search(len(idx), func(k int) bool { return int(idx[k]) >= j })
	if k < len(idx) && int(idx[k]) == j {
		return val[k]
	}
	return 0
}

// Clone returns a deep copy.
func (m *CSR) Clone() *CSR {
	return &CSR{
		Rows: m.Rows, Cols: m.Cols,
		Indptr:  append([]int64(nil), m.Indptr...),
		Indices: append([]int32(nil), m.Indices...),
		Data:    append([]float32(nil), m.Data...),
	}
}

// Validate reports whether the structure is consistent: pointer lengths and
// monotonicity, indices in range, sorted and unique within each row.
func (m *CSR) Validate() error {
	if len(m.Indptr) != m.Rows+1 {
		return fmt.Errorf("indptr has %d entries, want %d", len(m.Indptr), m.Rows+1)
	}
	if m.Indptr[0] != 0 || m.Indptr[m.Rows] != int64(len(m.Indices)) || len(m.Indices) != len(m.Data) {
		return fmt.Errorf("indptr ends (%d, %d) do not match %d indices and %d values",
			m.Indptr[0], m.Indptr[m.Rows], len(m.Indices), len(m.Data))
	}
	for i := 0; i < m.Rows; i++ {
		a, b := m.Indptr[i], m.Indptr[i+1]
		if b < a {
			return fmt.Errorf("indptr decreases at row %d", i)
		}
		prev := int32(-1)
		for _, j := range m.Indices[a:b] {
			if j < 0 || int(j) >= m.Cols {
				return fmt.Errorf("row %d has column index %d outside [0, %d)", i, j, m.Cols)
			}
			if j <= prev {
				return fmt.Errorf("row %d has unsorted or repeated column index %d", i, j)
			}
			prev = j
		}
	}
	return nil
}

// SortIndices sorts the column indices of every row in place, carrying the
// values along. Rows that are already sorted are left untouched.
func (m *CSR) SortIndices() {
	for i := 0; i < m.Rows; i++ {
		a, b := m.Indptr[i], m.Indptr[i+1]
		idx, val := m.Indices[a:b], m.Data[a:b]
		if sort.SliceIsSorted(idx, func(x, y int) bool { return idx[x] < idx[y] }) {
			continue
		}
		sort.Sort(rowSorter{idx, val})
	}
}

type rowSorter struct {
	idx []int32
	val []float32
}

func (r rowSorter) Len() int           { return len(r.idx) }
func (r rowSorter) Less(a, b int) bool { return r.idx[a] < r.idx[b] }
func (r rowSorter) Swap(a, b int) {
	r.idx[a], r.idx[b] = r.idx[b], r.idx[a]
	r.val[a], r.val[b] = r.val[b], r.val[a]
}

// ToDense returns m as a dense matrix.
func (m *CSR) ToDense() *Dense {
	d := NewDense(m.Rows, m.Cols)
	for i := 0; i < m.Rows; i++ {
		idx, val := m.RowView(i)
		row := d.Row(i)
		for k, j := range idx {
			row[j] = val[k]
		}
	}
	return d
}

// Transpose returns mᵀ as a new CSR matrix (equivalently, m in CSC form).
func (m *CSR) Transpose() *CSR {
	t := &CSR{Rows: m.Cols, Cols: m.Rows, Indptr: make([]int64, m.Cols+1),
		Indices: make([]int32, len(m.Indices)), Data: make([]float32, len(m.Data))}
	for _, j := range m.Indices {
		t.Indptr[j+1]++
	}
	for j := 0; j < m.Cols; j++ {
		t.Indptr[j+1] += t.Indptr[j]
	}
	next := append([]int64(nil), t.Indptr[:m.Cols]...)
	for i := 0; i < m.Rows; i++ {
		idx, val := m.RowView(i)
		for k, j := range idx {
			p := next[j]
			t.Indices[p] = int32(i)
			t.Data[p] = val[k]
			next[j]++
		}
	}
	return t
}

// SelectCols returns a new matrix with the given columns, renumbered in the
// order given. cols must be strictly increasing so rows stay sorted.
func (m *CSR) SelectCols(cols []int) *CSR {
	newIdx := make([]int32, m.Cols)
	for j := range newIdx {
		newIdx[j] = -1
	}
	for k, j := range cols {
		if k > 0 && cols[k-1] >= j {
			panic("array: SelectCols needs strictly increasing columns")
		}
		newIdx[j] = int32(k)
	}
	// Count first so the result is allocated once: appending would copy
	// the growing arrays repeatedly on count matrices of millions of entries.
	nnz := 0
	for _, j := range m.Indices {
		if newIdx[j] >= 0 {
			nnz++
		}
	}
	out := &CSR{Rows: m.Rows, Cols: len(cols), Indptr: make([]int64, m.Rows+1),
		Indices: make([]int32, 0, nnz), Data: make([]float32, 0, nnz)}
	for i := 0; i < m.Rows; i++ {
		idx, val := m.RowView(i)
		for k, j := range idx {
			if nj := newIdx[j]; nj >= 0 {
				out.Indices = append(out.Indices, nj)
				out.Data = append(out.Data, val[k])
			}
		}
		out.Indptr[i+1] = int64(len(out.Data))
	}
	return out
}

// SelectRows returns a new matrix holding the given rows in order.
func (m *CSR) SelectRows(rows []int) *CSR {
	out := &CSR{Rows: len(rows), Cols: m.Cols, Indptr: make([]int64, len(rows)+1)}
	for k, i := range rows {
		idx, val := m.RowView(i)
		out.Indices = append(out.Indices, idx...)
		out.Data = append(out.Data, val...)
		out.Indptr[k+1] = int64(len(out.Data))
	}
	return out
}

// RowSums returns the sum of each row, accumulated in float64.
func (m *CSR) RowSums() []float64 {
	s := make([]float64, m.Rows)
	for i := range s {
		_, val := m.RowView(i)
		var acc float64
		for _, v := range val {
			acc += float64(v)
		}
		s[i] = acc
	}
	return s
}

// ColumnRange returns the columns [lo, hi) of m as a new matrix, renumbered
// from 0. Rows must be sorted (as Validate requires); each row's run is
// found by binary search, so a block of a wide matrix costs little more
// than the entries it holds.
func (m *CSR) ColumnRange(lo, hi int) *CSR {
	if lo < 0 || hi > m.Cols || lo > hi {
		panic(fmt.Sprintf("array: column range [%d, %d) outside [0, %d)", lo, hi, m.Cols))
	}
	start := make([]int64, m.Rows)
	out := &CSR{Rows: m.Rows, Cols: hi - lo, Indptr: make([]int64, m.Rows+1)}
	for i := 0; i < m.Rows; i++ {
		a, b := m.Indptr[i], m.Indptr[i+1]
		s := lowerBound(m.Indices[a:b], int32(lo))
		e := s + lowerBound(m.Indices[a+s:b], int32(hi))
		start[i] = a + s
		out.Indptr[i+1] = out.Indptr[i] + e - s
	}
	nnz := out.Indptr[m.Rows]
	out.Indices, out.Data = make([]int32, nnz), make([]float32, nnz)
	for i := 0; i < m.Rows; i++ {
		p, q := out.Indptr[i], out.Indptr[i+1]
		src := start[i]
		for k := p; k < q; k++ {
			out.Indices[k] = m.Indices[src+k-p] - int32(lo)
		}
		copy(out.Data[p:q], m.Data[src:src+q-p])
	}
	return out
}

// lowerBound is the number of entries of the sorted x below v.
func lowerBound(x []int32, v int32) int64 {
	lo, hi := 0, len(x)
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if x[mid] < v {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return int64(lo)
}
