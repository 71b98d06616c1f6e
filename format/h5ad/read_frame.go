package h5ad

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/velo-rna/velo/anndata"
	"github.com/velo-rna/velo/internal/hdf5"
)

// readFrame reads obs or var.
func (r *reader) readFrame(name string) (*anndata.Frame, error) {
	kind, err := r.root.Kind(name)
	if err != nil {
		return nil, r.wrap(err)
	}
	if kind != hdf5.KindGroup {
		return nil, r.errorf("%s is a compound dataset (anndata < 0.7), which velo does not read; rewrite the file with a current anndata", name)
	}
	g, err := r.root.OpenGroup(name)
	if err != nil {
		return nil, r.wrap(err)
	}
	defer g.Close()

	indexName := "_index"
	if g.HasAttr("_index") {
		if indexName, err = g.AttrString("_index"); err != nil {
			return nil, r.wrap(err)
		}
	} else if !g.Has(indexName) && g.Has("index") {
		indexName = "index"
	}
	if !g.Has(indexName) {
		return nil, r.errorf("%s has no index (dataset %q is missing)", name, indexName)
	}
	index, err := r.readStrings(g, indexName, name+"/"+indexName)
	if err != nil {
		return nil, err
	}
	columns, err := r.columnOrder(g, name, indexName)
	if err != nil {
		return nil, err
	}
	f := anndata.NewFrame(index)
	f.IndexName = indexName
	for _, col := range columns {
		label := name + "/" + col
		if !g.Has(col) {
			return nil, r.errorf("%s: column %q listed in column-order is missing", name, col)
		}
		data, err := r.readColumn(g, col, label)
		if err != nil {
			return nil, err
		}
		if data == nil {
			continue
		}
		if n := anndata.ColumnLen(data); n != len(index) {
			return nil, r.errorf("%s has %d rows but %s has %d", label, n, name, len(index))
		}
		f.Set(col, data)
	}
	return f, nil
}

// columnOrder returns the column names from the column-order attribute,
// which anndata 0.7 wrote as an empty float array when there were none; very
// old files without it get their members in name order.
func (r *reader) columnOrder(g *hdf5.Group, name, indexName string) ([]string, error) {
	if !g.HasAttr("column-order") {
		kids, err := g.Children()
		if err != nil {
			return nil, r.wrap(err)
		}
		var cols []string
		for _, k := range kids {
			if k != indexName && k != "__categories" {
				cols = append(cols, k)
			}
		}
		return cols, nil
	}
	t, n, err := g.AttrType("column-order")
	if err != nil {
		return nil, r.wrap(err)
	}
	if t.Class != hdf5.ClassString {
		if n == 0 {
			return nil, nil
		}
		return nil, r.errorf("%s: column-order holds %s values, not names", name, t)
	}
	cols, err := g.AttrStrings("column-order")
	return cols, r.wrap(err)
}

// readColumn reads one obs/var column, or returns nil after recording a
// skip for kinds the Frame cannot hold.
func (r *reader) readColumn(g *hdf5.Group, col, label string) (any, error) {
	kind, err := g.Kind(col)
	if err != nil {
		return nil, r.wrap(err)
	}
	if kind == hdf5.KindGroup {
		if enc := r.groupEncoding(g, col); enc != encCategorical {
			r.skip(label, fmt.Sprintf("columns of kind %q are not supported", orUnknown(enc)))
			return nil, nil
		}
		return r.readCategorical(g, col, label)
	}
	d, err := g.OpenDataset(col)
	if err != nil {
		return nil, r.wrap(err)
	}
	defer d.Close()
	if len(d.Shape()) != 1 {
		r.skip(label, fmt.Sprintf("a %d-dimensional column is not supported", len(d.Shape())))
		return nil, nil
	}
	if d.HasAttr("categories") {
		return r.readLegacyCategorical(g, d, label)
	}
	return r.readArray(d, label, "columns of %s values are not supported", true)
}

// readCategorical reads anndata 0.8's categorical group.
func (r *reader) readCategorical(parent *hdf5.Group, col, label string) (any, error) {
	g, err := parent.OpenGroup(col)
	if err != nil {
		return nil, r.wrap(err)
	}
	defer g.Close()
	for _, part := range []string{"codes", "categories"} {
		if !g.Has(part) {
			return nil, r.errorf("%s/%s is missing", label, part)
		}
	}
	codes, err := r.readCodes(g, "codes", label)
	if err != nil {
		return nil, err
	}
	cats, err := r.readStrings(g, "categories", label+"/categories")
	if err != nil {
		return nil, err
	}
	ordered := false
	if g.HasAttr("ordered") {
		if ordered, err = g.AttrBool("ordered"); err != nil {
			return nil, r.wrap(err)
		}
	}
	return &anndata.Categorical{Codes: codes, Categories: cats, Ordered: ordered}, nil
}

// readLegacyCategorical reads anndata 0.7's categorical: a codes dataset
// whose "categories" attribute refers to (or names) the categories dataset,
// usually in __categories.
func (r *reader) readLegacyCategorical(g *hdf5.Group, d *hdf5.Dataset, label string) (any, error) {
	t, _, err := d.AttrType("categories")
	if err != nil {
		return nil, r.wrap(err)
	}
	var at *hdf5.Group // where the categories path is resolved
	var path string
	switch t.Class {
	case hdf5.ClassReference:
		path, err = d.AttrRef("categories")
		at = r.root
	case hdf5.ClassString:
		path, err = d.AttrString("categories")
		at = g
	default:
		return nil, r.errorf("%s: categories attribute holds %s, not a reference", label, t)
	}
	if err != nil {
		return nil, r.wrap(err)
	}
	codes, err := hdf5.ReadNumeric[int32](d)
	if err != nil {
		return nil, r.wrap(err)
	}
	cats, err := r.readStrings(at, path, label+" categories")
	if err != nil {
		return nil, err
	}
	ordered := false
	if cd, err := at.OpenDataset(path); err == nil {
		if cd.HasAttr("ordered") {
			ordered, _ = cd.AttrBool("ordered")
		}
		cd.Close()
	}
	return &anndata.Categorical{Codes: codes, Categories: cats, Ordered: ordered}, nil
}

func (r *reader) readCodes(g *hdf5.Group, name, label string) ([]int32, error) {
	d, err := g.OpenDataset(name)
	if err != nil {
		return nil, r.wrap(err)
	}
	defer d.Close()
	if t := d.Type(); t.Class != hdf5.ClassInteger || len(d.Shape()) != 1 {
		return nil, r.errorf("%s/%s is not a 1-D integer array", label, name)
	}
	v, err := hdf5.ReadNumeric[int32](d)
	return v, r.wrap(err)
}

// readStrings reads a 1-D array as strings: string arrays as they are,
// numbers and booleans formatted the way pandas prints them (an integer
// index or numeric categories).
func (r *reader) readStrings(g *hdf5.Group, name, label string) ([]string, error) {
	d, err := g.OpenDataset(name)
	if err != nil {
		return nil, r.wrap(err)
	}
	defer d.Close()
	if len(d.Shape()) != 1 {
		return nil, r.errorf("%s is not a 1-D array", label)
	}
	t := d.Type()
	switch t.Class {
	case hdf5.ClassString:
		s, err := d.ReadStrings()
		return s, r.wrap(err)
	case hdf5.ClassBool:
		b, err := hdf5.ReadBools(d)
		if err != nil {
			return nil, r.wrap(err)
		}
		out := make([]string, len(b))
		for i, v := range b {
			out[i] = "False"
			if v {
				out[i] = "True"
			}
		}
		return out, nil
	case hdf5.ClassInteger, hdf5.ClassEnum:
		v, err := hdf5.ReadNumeric[int64](d)
		if err != nil {
			return nil, r.wrap(err)
		}
		out := make([]string, len(v))
		for i, x := range v {
			out[i] = strconv.FormatInt(x, 10)
		}
		return out, nil
	case hdf5.ClassFloat:
		v, err := hdf5.ReadNumeric[float64](d)
		if err != nil {
			return nil, r.wrap(err)
		}
		out := make([]string, len(v))
		for i, x := range v {
			out[i] = strconv.FormatFloat(x, 'g', -1, 64)
		}
		return out, nil
	}
	return nil, r.errorf("%s holds %s values, not strings", label, t)
}

// legacyCategories applies anndata ≤ 0.6's convention of storing a
// categorical column's categories in uns["<column>_categories"], the way
// anndata itself does on reading: an integer obs or var column of that name
// whose codes all index the list becomes categorical, and the uns entry is
// dropped.
func legacyCategories(a *anndata.AnnData) {
	keys := make([]string, 0, len(a.Uns))
	for k := range a.Uns {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, key := range keys {
		col, ok := strings.CutSuffix(key, "_categories")
		if !ok {
			continue
		}
		var cats []string
		switch v := a.Uns[key].(type) {
		case []string:
			cats = v
		case string:
			cats = []string{v}
		default:
			continue
		}
		for _, f := range []*anndata.Frame{a.Obs, a.Var} {
			if codes, ok := legacyCodes(f, col, len(cats)); ok {
				f.Set(col, &anndata.Categorical{Codes: codes, Categories: cats})
				delete(a.Uns, key)
			}
		}
	}
}

// legacyCodes returns an integer column as codes if every value indexes n
// categories (negative values mean missing).
func legacyCodes(f *anndata.Frame, col string, n int) ([]int32, bool) {
	data, ok := f.Get(col)
	if !ok {
		return nil, false
	}
	var wide []int64
	switch v := data.(type) {
	case []int32:
		for _, x := range v {
			wide = append(wide, int64(x))
		}
	case []int64:
		wide = v
	default:
		return nil, false
	}
	codes := make([]int32, len(wide))
	for i, x := range wide {
		if x >= int64(n) {
			return nil, false
		}
		codes[i] = int32(max(x, -1))
	}
	return codes, true
}
