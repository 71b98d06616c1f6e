package zarr

import (
	"fmt"

	"github.com/velo-rna/velo/anndata"
)

// readFrame reads obs or var.
func (r *reader) readFrame(name string) (*anndata.Frame, error) {
	if !r.s.isGroup(name) {
		return nil, r.errorf("%s is not a group (anndata < 0.7 stored it as a record array, which velo does not read)", name)
	}
	attrs, err := r.s.attrs(name)
	if err != nil {
		return nil, r.wrap(err)
	}
	indexName := "_index"
	if v, ok := attrs["_index"].(string); ok {
		indexName = v
	} else if !r.s.isArray(join(name, indexName)) && r.s.isArray(join(name, "index")) {
		indexName = "index"
	}
	if !r.s.isArray(join(name, indexName)) {
		return nil, r.errorf("%s has no index (array %q is missing)", name, indexName)
	}
	index, err := r.strings(join(name, indexName))
	if err != nil {
		return nil, err
	}
	columns, err := r.columnOrder(name, indexName, attrs)
	if err != nil {
		return nil, err
	}
	f := anndata.NewFrame(index)
	f.IndexName = indexName
	for _, col := range columns {
		label := join(name, col)
		if !r.s.has(label) {
			return nil, r.errorf("%s: column %q listed in column-order is missing", name, col)
		}
		data, err := r.readColumn(name, label)
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

// columnOrder returns the column names from the column-order attribute, or
// without it the members in name order.
func (r *reader) columnOrder(name, indexName string, attrs map[string]any) ([]string, error) {
	v, ok := attrs["column-order"]
	if !ok {
		kids, err := r.s.children(name)
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
	list, ok := v.([]any)
	if !ok {
		return nil, r.errorf("%s: column-order is %v, not a list of names", name, v)
	}
	cols := make([]string, len(list))
	for i, c := range list {
		if cols[i], ok = c.(string); !ok {
			return nil, r.errorf("%s: column-order holds %v, not a name", name, c)
		}
	}
	return cols, nil
}

// readColumn reads one obs/var column, or returns nil after recording a
// skip for kinds the Frame cannot hold.
func (r *reader) readColumn(frame, label string) (any, error) {
	if r.s.isGroup(label) {
		if enc := r.s.encoding(label); enc != "categorical" {
			r.skip(label, fmt.Sprintf("columns of kind %q are not supported", orUnknown(enc)))
			return nil, nil
		}
		return r.readCategorical(label, join(label, "codes"), join(label, "categories"))
	}
	attrs, err := r.s.attrs(label)
	if err != nil {
		return nil, r.wrap(err)
	}
	if cats, ok := attrs["categories"].(string); ok {
		// anndata 0.7 kept the categories in a separate array, usually under
		// __categories, named by the codes' attribute.
		return r.readCategorical(label, label, join(frame, cats))
	}
	a, err := r.array(label)
	if err != nil {
		return nil, err
	}
	if len(a.shape) != 1 {
		r.skip(label, fmt.Sprintf("a %d-dimensional column is not supported", len(a.shape)))
		return nil, nil
	}
	return a.column(true), nil
}

// readCategorical reads a categorical from its codes and categories arrays.
func (r *reader) readCategorical(label, codesElem, catsElem string) (any, error) {
	for _, e := range []string{codesElem, catsElem} {
		if !r.s.isArray(e) {
			return nil, r.errorf("%s is missing", e)
		}
	}
	codes, err := r.array(codesElem)
	if err != nil {
		return nil, err
	}
	if len(codes.shape) != 1 || (codes.kind != 'i' && codes.kind != 'u') {
		return nil, r.errorf("%s is not a 1-D integer array", codesElem)
	}
	cats, err := r.strings(catsElem)
	if err != nil {
		return nil, err
	}
	attrs, err := r.s.attrs(label)
	if err != nil {
		return nil, r.wrap(err)
	}
	ordered, _ := attrs["ordered"].(bool)
	c := &anndata.Categorical{Codes: make([]int32, codes.len()), Categories: cats, Ordered: ordered}
	for i, v := range codes.int64s() {
		if v >= int64(len(cats)) {
			return nil, r.errorf("%s[%d] = %d but there are %d categories", codesElem, i, v, len(cats))
		}
		c.Codes[i] = int32(max(v, -1))
	}
	return c, nil
}

// strings reads a 1-D array as strings (see zarray.strings).
func (r *reader) strings(elem string) ([]string, error) {
	a, err := r.array(elem)
	if err != nil {
		return nil, err
	}
	if len(a.shape) != 1 {
		return nil, r.errorf("%s is not a 1-D array", elem)
	}
	return a.strings(), nil
}
