package zarr

import (
	"fmt"
	"math"

	"github.com/velo-rna/velo/array"
)

// readMatrix reads a dense (array) or sparse (group) matrix at elem.
func (r *reader) readMatrix(elem string) (array.Matrix, error) {
	if r.s.isGroup(elem) {
		return r.readSparse(elem)
	}
	if !r.s.isArray(elem) {
		return nil, r.errorf("%s: not an array (%s is missing)", elem, fileArray)
	}
	return r.readDense(elem)
}

func (r *reader) readDense(elem string) (*array.Dense, error) {
	a, err := r.array(elem)
	if err != nil {
		return nil, err
	}
	if len(a.shape) != 2 {
		return nil, r.errorf("%s is a %d-dimensional array, not a matrix", elem, len(a.shape))
	}
	if !a.numeric() {
		return nil, r.errorf("%s holds %s values, not numbers", elem, a.typeName())
	}
	return &array.Dense{Rows: a.shape[0], Cols: a.shape[1], Data: a.float32s()}, nil
}

// readSparse reads a csr_matrix or csc_matrix group as CSR, checking its
// structure so that later code can index it without bounds failures.
func (r *reader) readSparse(elem string) (*array.CSR, error) {
	attrs, err := r.s.attrs(elem)
	if err != nil {
		return nil, r.wrap(err)
	}
	enc, _ := attrs["encoding-type"].(string)
	if enc == "" {
		if f, ok := attrs["h5sparse_format"].(string); ok {
			enc = f + "_matrix"
		}
	}
	if enc != "csr_matrix" && enc != "csc_matrix" {
		return nil, r.errorf("%s is a group of kind %q, not a matrix", elem, orUnknown(enc))
	}
	shapeAttr, ok := attrs["shape"]
	if !ok {
		shapeAttr = attrs["h5sparse_shape"]
	}
	shape, ok := shapeOf(shapeAttr)
	if !ok {
		return nil, r.errorf("%s has no valid shape attribute (got %v)", elem, shapeAttr)
	}
	csc := enc == "csc_matrix"
	major, minor := shape[0], shape[1]
	if csc {
		major, minor = minor, major
	}
	parts := map[string]*zarray{}
	for _, part := range []string{"data", "indices", "indptr"} {
		label := elem + "/" + part
		if !r.s.isArray(label) {
			return nil, r.errorf("%s is missing", label)
		}
		a, err := r.array(label)
		if err != nil {
			return nil, err
		}
		switch {
		case part == "data" && (len(a.shape) != 1 || !a.numeric()):
			return nil, r.errorf("%s is not a 1-D numeric array", label)
		case part != "data" && (len(a.shape) != 1 || !a.numeric() || a.kind == 'f'):
			return nil, r.errorf("%s is not a 1-D integer array", label)
		}
		parts[part] = a
	}
	m := &array.CSR{Rows: major, Cols: minor, Data: parts["data"].float32s(), Indptr: parts["indptr"].int64s()}
	wide := parts["indices"].int64s()
	m.Indices = make([]int32, len(wide))
	for i, j := range wide {
		if j < 0 || j >= int64(minor) {
			return nil, r.errorf("%s/indices[%d] = %d is outside [0, %d)", elem, i, j, minor)
		}
		m.Indices[i] = int32(j)
	}
	canonical, err := checkCompressed(m, csc)
	if err != nil {
		return nil, r.errorf("%s: %v", elem, err)
	}
	if csc {
		m = m.Transpose() // which also sorts each row's indices
	} else if !canonical {
		m.SortIndices()
	}
	if !canonical || csc {
		if err := m.Validate(); err != nil {
			return nil, r.errorf("%s: %v", elem, err)
		}
	}
	return m, nil
}

// shapeOf reads a two-element shape attribute (JSON numbers).
func shapeOf(v any) ([2]int, bool) {
	l, ok := v.([]any)
	if !ok || len(l) != 2 {
		return [2]int{}, false
	}
	var out [2]int
	for i, x := range l {
		f, ok := x.(float64)
		if !ok || f < 0 || f > math.MaxInt32 || f != math.Trunc(f) {
			return [2]int{}, false
		}
		out[i] = int(f)
	}
	return out, true
}

// checkCompressed checks pointers of a compressed sparse matrix (m holds
// the CSC form's transpose when csc is set; indices are already in range)
// and reports whether every row's indices are sorted and unique, as
// scipy's canonical format has them.
func checkCompressed(m *array.CSR, csc bool) (canonical bool, err error) {
	line := "row"
	if csc {
		line = "column"
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
	for i := 0; i < m.Rows && canonical; i++ {
		prev := int32(-1)
		for _, j := range m.Indices[m.Indptr[i]:m.Indptr[i+1]] {
			if j <= prev {
				canonical = false
				break
			}
			prev = j
		}
	}
	return canonical, nil
}
