package h5ad

import (
	"fmt"
	"reflect"

	"github.com/velo-rna/velo/array"
	"github.com/velo-rna/velo/internal/hdf5"
)

// readDict reads a dict group (uns or one nested in it) at path.
func (r *reader) readDict(path string) (map[string]any, error) {
	g, err := r.root.OpenGroup(path)
	if err != nil {
		return nil, r.wrap(err)
	}
	defer g.Close()
	kids, err := g.Children()
	if err != nil {
		return nil, r.wrap(err)
	}
	out := make(map[string]any, len(kids))
	for _, k := range kids {
		v, err := r.readUnsValue(g, k, path+"/"+k)
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
func (r *reader) readUnsValue(g *hdf5.Group, name, path string) (any, error) {
	kind, err := g.Kind(name)
	if err != nil {
		return nil, r.wrap(err)
	}
	if kind == hdf5.KindGroup {
		switch enc := r.groupEncoding(g, name); enc {
		case "", encDict:
			return r.readDict(path)
		case encCSR, encCSC:
			return r.readSparse(g, name, path, nil)
		default:
			r.skip(path, fmt.Sprintf("uns entries of kind %q are not supported", enc))
			return nil, nil
		}
	}
	d, err := g.OpenDataset(name)
	if err != nil {
		return nil, r.wrap(err)
	}
	defer d.Close()
	t, shape := d.Type(), d.Shape()
	switch {
	case d.Scalar():
		v, err := r.readArray(d, path, "%s values are not supported", false)
		if v == nil || err != nil {
			return nil, err
		}
		return reflect.ValueOf(v).Index(0).Interface(), nil // the one element
	case len(shape) == 1:
		return r.readArray(d, path, "%s values are not supported", false)
	case len(shape) == 2 && t.Numeric():
		v, err := hdf5.ReadNumeric[float32](d)
		if err != nil {
			return nil, r.wrap(err)
		}
		return &array.Dense{Rows: shape[0], Cols: shape[1], Data: v}, nil
	}
	r.skip(path, fmt.Sprintf("a %d-dimensional %s array is not supported", len(shape), t))
	return nil, nil
}

// readArray reads a 1-D (or scalar) dataset of strings, booleans, integers
// or floats. Frame columns keep 32-bit and smaller numbers narrow (as int32
// or float32); uns, whose numbers are int64 and float64, widens them. Other
// element types are skipped with the reason skipWhy (a format for the type)
// and give nil.
func (r *reader) readArray(d *hdf5.Dataset, path, skipWhy string, narrow bool) (any, error) {
	t := d.Type()
	var v any
	var err error
	switch t.Class {
	case hdf5.ClassString:
		v, err = d.ReadStrings()
	case hdf5.ClassBool:
		v, err = hdf5.ReadBools(d)
	case hdf5.ClassInteger, hdf5.ClassEnum:
		if narrow && (t.Size < 4 || (t.Size == 4 && t.Signed)) {
			v, err = hdf5.ReadNumeric[int32](d)
		} else {
			v, err = hdf5.ReadNumeric[int64](d)
		}
	case hdf5.ClassFloat:
		if narrow && t.Size <= 4 {
			v, err = hdf5.ReadNumeric[float32](d)
		} else {
			v, err = hdf5.ReadNumeric[float64](d)
		}
	default:
		r.skip(path, fmt.Sprintf(skipWhy, t))
		return nil, nil
	}
	if err != nil {
		return nil, r.wrap(err)
	}
	return v, nil
}
