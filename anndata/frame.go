package anndata

import (
	"fmt"
	"sort"
)

// Frame is a table with one row per cell (obs) or gene (var): a string index
// and ordered, named columns.
//
// Column data is one of []float64, []float32, []int64, []int32, []bool,
// []string or *Categorical, with one entry per row.
type Frame struct {
	Index     []string
	IndexName string // the name of the index dataset on disk, "_index" by default
	columns   []Column
}

// Column is one named column of a Frame.
type Column struct {
	Name string
	Data any
}

// Categorical is pandas' categorical column: Codes index Categories and −1
// marks a missing value.
type Categorical struct {
	Codes      []int32
	Categories []string
	Ordered    bool
}

// Value returns the category of row i, or "" when it is missing.
func (c *Categorical) Value(i int) string {
	if c.Codes[i] < 0 {
		return ""
	}
	return c.Categories[c.Codes[i]]
}

// NewFrame returns a frame with the given index and no columns.
func NewFrame(index []string) *Frame {
	return &Frame{Index: index, IndexName: "_index"}
}

// Len returns the number of rows.
func (f *Frame) Len() int { return len(f.Index) }

// Columns returns the columns in order. The slice must not be modified.
func (f *Frame) Columns() []Column { return f.columns }

// Has reports whether the frame has a column called name.
func (f *Frame) Has(name string) bool { return f.find(name) >= 0 }

// Get returns the data of the named column and whether it exists.
func (f *Frame) Get(name string) (any, bool) {
	if k := f.find(name); k >= 0 {
		return f.columns[k].Data, true
	}
	return nil, false
}

// Set adds or replaces a column, keeping the position of a replaced one.
// It panics when the data length does not match the frame.
func (f *Frame) Set(name string, data any) {
	if n := ColumnLen(data); n != f.Len() {
		panic(fmt.Sprintf("anndata: column %q has %d rows, frame has %d", name, n, f.Len()))
	}
	if k := f.find(name); k >= 0 {
		f.columns[k].Data = data
		return
	}
	f.columns = append(f.columns, Column{Name: name, Data: data})
}

// Delete removes the named column if present.
func (f *Frame) Delete(name string) {
	if k := f.find(name); k >= 0 {
		f.columns = append(f.columns[:k], f.columns[k+1:]...)
	}
}

// Float64 returns a numeric or boolean column converted to float64.
func (f *Frame) Float64(name string) ([]float64, error) {
	d, ok := f.Get(name)
	if !ok {
		return nil, fmt.Errorf("column %q is missing", name)
	}
	out := make([]float64, f.Len())
	switch t := d.(type) {
	case []float64:
		copy(out, t)
	case []float32:
		for i, v := range t {
			out[i] = float64(v)
		}
	case []int64:
		for i, v := range t {
			out[i] = float64(v)
		}
	case []int32:
		for i, v := range t {
			out[i] = float64(v)
		}
	case []bool:
		for i, v := range t {
			if v {
				out[i] = 1
			}
		}
	default:
		return nil, fmt.Errorf("column %q is not numeric", name)
	}
	return out, nil
}

// Bool returns a boolean column.
func (f *Frame) Bool(name string) ([]bool, error) {
	d, ok := f.Get(name)
	if !ok {
		return nil, fmt.Errorf("column %q is missing", name)
	}
	b, ok := d.([]bool)
	if !ok {
		return nil, fmt.Errorf("column %q is not boolean", name)
	}
	return b, nil
}

// Strings returns a string or categorical column as one string per row.
func (f *Frame) Strings(name string) ([]string, error) {
	d, ok := f.Get(name)
	if !ok {
		return nil, fmt.Errorf("column %q is missing", name)
	}
	switch t := d.(type) {
	case []string:
		return t, nil
	case *Categorical:
		out := make([]string, len(t.Codes))
		for i := range out {
			out[i] = t.Value(i)
		}
		return out, nil
	}
	return nil, fmt.Errorf("column %q is not a string or categorical column", name)
}

// Subset returns a new frame with the rows at the given positions.
func (f *Frame) Subset(rows []int) *Frame {
	out := &Frame{IndexName: f.IndexName, Index: make([]string, len(rows))}
	for k, i := range rows {
		out.Index[k] = f.Index[i]
	}
	for _, c := range f.columns {
		out.columns = append(out.columns, Column{Name: c.Name, Data: subsetColumn(c.Data, rows)})
	}
	return out
}

// Validate checks column lengths and that index names are unique.
func (f *Frame) Validate() error {
	seen := make(map[string]int, f.Len())
	for i, name := range f.Index {
		if j, dup := seen[name]; dup {
			return fmt.Errorf("duplicate name %q (rows %d and %d)", name, j, i)
		}
		seen[name] = i
	}
	for _, c := range f.columns {
		if n := ColumnLen(c.Data); n != f.Len() {
			return fmt.Errorf("column %q has %d rows, want %d", c.Name, n, f.Len())
		}
		if cat, ok := c.Data.(*Categorical); ok {
			for i, code := range cat.Codes {
				if code < -1 || int(code) >= len(cat.Categories) {
					return fmt.Errorf("column %q row %d has category code %d outside [-1, %d)", c.Name, i, code, len(cat.Categories))
				}
			}
		}
	}
	return nil
}

func (f *Frame) find(name string) int {
	for k, c := range f.columns {
		if c.Name == name {
			return k
		}
	}
	return -1
}

// ColumnLen returns the number of rows of a column's data, which must be
// one of the column types Frame accepts.
func ColumnLen(data any) int {
	switch t := data.(type) {
	case []float64:
		return len(t)
	case []float32:
		return len(t)
	case []int64:
		return len(t)
	case []int32:
		return len(t)
	case []bool:
		return len(t)
	case []string:
		return len(t)
	case *Categorical:
		return len(t.Codes)
	}
	panic(fmt.Sprintf("anndata: unsupported column type %T", data))
}

func subsetColumn(data any, rows []int) any {
	switch t := data.(type) {
	case []float64:
		return pick(t, rows)
	case []float32:
		return pick(t, rows)
	case []int64:
		return pick(t, rows)
	case []int32:
		return pick(t, rows)
	case []bool:
		return pick(t, rows)
	case []string:
		return pick(t, rows)
	case *Categorical:
		return &Categorical{Codes: pick(t.Codes, rows), Categories: t.Categories, Ordered: t.Ordered}
	}
	panic(fmt.Sprintf("anndata: unsupported column type %T", data))
}

func pick[T any](x []T, rows []int) []T {
	out := make([]T, len(rows))
	for k, i := range rows {
		out[k] = x[i]
	}
	return out
}

// SortedKeys returns the keys of m in lexical order, so that everything
// iterating over layers or uns does so in a reproducible order.
func SortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
