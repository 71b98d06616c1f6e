package zarr

import (
	"fmt"

	"github.com/velo-rna/velo/array"
)

// readDict reads a dict group (uns or one nested in it).
func (r *reader) readDict(elem string) (map[string]any, error) {
	kids, err := r.s.children(elem)
	if err != nil {
		return nil, r.wrap(err)
	}
	out := make(map[string]any, len(kids))
	for _, k := range kids {
		v, err := r.readUnsValue(join(elem, k))
		if err != nil {
			return nil, err
		}
		if v != nil {
			out[k] = v
		}
	}
	return out, nil
}

// readUnsValue reads one uns entry, or returns nil after recording a skip.
// Scalars become string, bool, int64 or float64; 1-D arrays slices of
// those; 2-D numeric arrays *array.Dense.
func (r *reader) readUnsValue(elem string) (any, error) {
	if r.s.isGroup(elem) {
		switch enc := r.s.encoding(elem); enc {
		case "", "dict":
			return r.readDict(elem)
		case "csr_matrix", "csc_matrix":
			return r.readSparse(elem)
		default:
			r.skip(elem, fmt.Sprintf("uns entries of kind %q are not supported", enc))
			return nil, nil
		}
	}
	a, err := r.array(elem)
	if err != nil {
		return nil, err
	}
	switch {
	case len(a.shape) == 0:
		switch v := a.column(false).(type) {
		case []string:
			return v[0], nil
		case []bool:
			return v[0], nil
		case []int64:
			return v[0], nil
		case []float64:
			return v[0], nil
		}
	case len(a.shape) == 1:
		return a.column(false), nil
	case len(a.shape) == 2 && a.numeric():
		return &array.Dense{Rows: a.shape[0], Cols: a.shape[1], Data: a.float32s()}, nil
	}
	r.skip(elem, fmt.Sprintf("a %d-dimensional %s array is not supported", len(a.shape), a.typeName()))
	return nil, nil
}
