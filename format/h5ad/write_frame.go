package h5ad

import (
	"fmt"
	"sort"

	"github.com/velo-rna/velo/anndata"
	"github.com/velo-rna/velo/internal/hdf5"
)

// frame writes obs or var as an anndata dataframe: the index as a string
// array named by the _index attribute, column-order keeping the frame's
// column order, and members created in name order.
func (w *writer) frame(parent *hdf5.Group, name string, f *anndata.Frame) error {
	g, err := encodedGroup(parent, name, encDataFrame)
	if err != nil {
		return err
	}
	defer g.Close()
	indexName := f.IndexName
	if indexName == "" {
		indexName = "_index"
	}
	cols := f.Columns()
	order := make([]string, len(cols))
	for i, c := range cols {
		if err := memberName(name, c.Name); err != nil {
			return err
		}
		if c.Name == indexName {
			return fmt.Errorf("%s: column %q has the index's name", name, c.Name)
		}
		order[i] = c.Name
	}
	if err := g.SetAttrString("_index", indexName); err != nil {
		return err
	}
	if err := g.SetAttrStrings("column-order", order); err != nil {
		return err
	}
	d, err := g.WriteStrings(indexName, f.Index, stringLayout)
	if err := encode(d, err, encStringArray); err != nil {
		return err
	}
	sorted := append([]anndata.Column(nil), cols...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Name < sorted[j].Name })
	for _, c := range sorted {
		if err := w.column(g, c.Name, c.Data); err != nil {
			return fmt.Errorf("%s/%s: %w", name, c.Name, err)
		}
	}
	return nil
}

func (w *writer) column(g *hdf5.Group, name string, data any) error {
	switch v := data.(type) {
	case []float64:
		d, err := hdf5.WriteNumeric(g, name, v, nil, w.floats)
		return encode(d, err, encArray)
	case []float32:
		d, err := hdf5.WriteNumeric(g, name, v, nil, w.floats)
		return encode(d, err, encArray)
	case []int64:
		d, err := hdf5.WriteNumeric(g, name, v, nil, w.ints)
		return encode(d, err, encArray)
	case []int32:
		d, err := hdf5.WriteNumeric(g, name, v, nil, w.ints)
		return encode(d, err, encArray)
	case []bool:
		d, err := g.WriteBools(name, v, w.ints)
		return encode(d, err, encArray)
	case []string:
		d, err := g.WriteStrings(name, v, stringLayout)
		return encode(d, err, encStringArray)
	case *anndata.Categorical:
		return w.categorical(g, name, v)
	}
	return fmt.Errorf("unsupported column type %T", data)
}

// categorical writes pandas' categorical layout with codes in the smallest
// signed integer type that holds every code, as pandas chooses it.
func (w *writer) categorical(parent *hdf5.Group, name string, c *anndata.Categorical) error {
	g, err := encodedGroup(parent, name, encCategorical)
	if err != nil {
		return err
	}
	defer g.Close()
	if err := g.SetAttrBool("ordered", c.Ordered); err != nil {
		return err
	}
	d, err := g.WriteStrings("categories", c.Categories, stringLayout)
	if err := encode(d, err, encStringArray); err != nil {
		return err
	}
	switch n := len(c.Categories); {
	case n <= 1<<7-1:
		d, err = hdf5.WriteNumeric(g, "codes", narrow[int8](c.Codes), nil, w.ints)
	case n <= 1<<15-1:
		d, err = hdf5.WriteNumeric(g, "codes", narrow[int16](c.Codes), nil, w.ints)
	default:
		d, err = hdf5.WriteNumeric(g, "codes", c.Codes, nil, w.ints)
	}
	return encode(d, err, encArray)
}

func narrow[T int8 | int16](codes []int32) []T {
	out := make([]T, len(codes))
	for i, c := range codes {
		out[i] = T(c)
	}
	return out
}
