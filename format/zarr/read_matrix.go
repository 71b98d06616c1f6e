package zarr

import (
	"github.com/velo-rna/velo/format/internal/compressed"
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
	if m, err = compressed.Canonical(m, csc); err != nil {
		return nil, r.errorf("%s: %v", elem, err)
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
