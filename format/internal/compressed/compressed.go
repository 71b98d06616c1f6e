// Package compressed turns the compressed sparse matrices that AnnData stores
// (CSR, or CSC held as its transpose) into velo's canonical CSR, checking
// their structure first. The h5ad and zarr readers share it.
package compressed

import (
	"fmt"
	"math"

	"github.com/velo-rna/velo/array"
)

// Canonical checks m (the CSC form's transpose when csc is set) and returns
// it as a CSR matrix whose rows have sorted, unique column indices: CSC is
// transposed, unsorted rows are sorted, and repeated indices are an error.
func Canonical(m *array.CSR, csc bool) (*array.CSR, error) {
	canonical, err := checkCompressed(m, csc)
	if err != nil {
		return nil, err
	}
	if csc {
		m = m.Transpose() // which also sorts each row's indices
	} else if !canonical {
		m.SortIndices()
	}
	if !canonical || csc {
		if err := m.Validate(); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// checkCompressed checks pointers and index bounds of a compressed sparse
// matrix (m holds the CSC form's transpose when csc is set) and reports
// whether every row's indices are already sorted and unique, as scipy's
// canonical format has them.
func checkCompressed(m *array.CSR, csc bool) (canonical bool, err error) {
	line, other := "row", "column"
	if csc {
		line, other = "column", "row"
	}
	if len(m.Indptr) != m.Rows+1 {
		return false, fmt.Errorf("indptr has %d entries, want %d (%ss + 1)", len(m.Indptr), m.Rows+1, line)
	}
	if len(m.Indices) != len(m.Data) {
		return false, fmt.Errorf("%d indices but %d values", len(m.Indices), len(m.Data))
	}
	if m.Indptr[0] != 0 {
		return false, fmt.Errorf("indptr starts at %d, want 0", m.Indptr[0])
	}
	for i := 0; i < m.Rows; i++ {
		if m.Indptr[i+1] < m.Indptr[i] {
			return false, fmt.Errorf("indptr decreases at %s %d", line, i)
		}
	}
	if end := m.Indptr[m.Rows]; end != int64(len(m.Indices)) {
		return false, fmt.Errorf("indptr ends at %d but there are %d stored values", end, len(m.Indices))
	}
	canonical = true
	cols := int32(min(m.Cols, math.MaxInt32))
	for i := 0; i < m.Rows; i++ {
		prev := int32(-1)
		for _, j := range m.Indices[m.Indptr[i]:m.Indptr[i+1]] {
			if j < 0 || j >= cols {
				return false, fmt.Errorf("%s %d has %s index %d outside [0, %d)", line, i, other, j, m.Cols)
			}
			if j <= prev {
				canonical = false
			}
			prev = j
		}
	}
	return canonical, nil
}
