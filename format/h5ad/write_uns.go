package h5ad

import (
	"fmt"

	"github.com/velo-rna/velo/anndata"
	"github.com/velo-rna/velo/array"
	"github.com/velo-rna/velo/internal/hdf5"
)

// dict writes a nested uns dictionary at path, keys in sorted order.
func (w *writer) dict(parent *hdf5.Group, name, path string, m map[string]any) error {
	g, err := encodedGroup(parent, name, encDict)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	defer g.Close()
	for _, k := range anndata.SortedKeys(m) {
		if err := memberName(path, k); err != nil {
			return err
		}
		if sub, ok := m[k].(map[string]any); ok {
			if err := w.dict(g, k, path+"/"+k, sub); err != nil {
				return err
			}
			continue
		}
		if err := w.unsValue(g, k, m[k]); err != nil {
			return fmt.Errorf("%s/%s: %w", path, k, err)
		}
	}
	return nil
}

// unsValue writes one uns entry other than a dictionary.
func (w *writer) unsValue(g *hdf5.Group, name string, value any) error {
	var d *hdf5.Dataset
	var err error
	var enc string
	switch v := value.(type) {
	case *array.Dense:
		return w.dense(g, name, v)
	case *array.CSR:
		return w.csr(g, name, v)
	case string:
		d, err = g.WriteScalarString(name, v)
		enc = encString
	case bool:
		d, err = g.WriteScalarBool(name, v)
		enc = encNumScalar
	case int64:
		d, err = hdf5.WriteScalar(g, name, v)
		enc = encNumScalar
	case float64:
		d, err = hdf5.WriteScalar(g, name, v)
		enc = encNumScalar
	case []string:
		d, err = g.WriteStrings(name, v, stringLayout)
		enc = encStringArray
	case []bool:
		d, err = g.WriteBools(name, v, w.ints)
		enc = encArray
	case []int64:
		d, err = hdf5.WriteNumeric(g, name, v, nil, w.ints)
		enc = encArray
	case []float64:
		d, err = hdf5.WriteNumeric(g, name, v, nil, w.floats)
		enc = encArray
	default:
		return fmt.Errorf("values of type %T cannot be stored in uns", value)
	}
	return encode(d, err, enc)
}
