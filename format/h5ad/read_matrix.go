package h5ad

import (
	"errors"
	"math"
	"slices"

	"github.com/velo-rna/velo/format/internal/compressed"

	"github.com/velo-rna/velo/array"
	"github.com/velo-rna/velo/internal/hdf5"
)

// readMatrix reads a dense (dataset) or sparse (group) matrix; label names it
// in messages.
func (r *reader) readMatrix(parent *hdf5.Group, name, label string) (array.Matrix, error) {
	return r.readMatrixSharing(parent, name, label, nil)
}

// readMatrixSharing is readMatrix for a matrix that takes shared's indices
// and pointers when it is a CSR matrix with exactly the same ones.
func (r *reader) readMatrixSharing(parent *hdf5.Group, name, label string, shared *array.CSR) (array.Matrix, error) {
	kind, err := parent.Kind(name)
	if err != nil {
		return nil, r.wrap(err)
	}
	if kind == hdf5.KindDataset {
		return r.readDense(parent, name, label)
	}
	return r.readSparse(parent, name, label, shared)
}

func (r *reader) readDense(parent *hdf5.Group, name, label string) (*array.Dense, error) {
	d, err := parent.OpenDataset(name)
	if err != nil {
		return nil, r.wrap(err)
	}
	defer d.Close()
	shape := d.Shape()
	if len(shape) != 2 {
		return nil, r.errorf("%s is a %d-dimensional array, not a matrix", label, len(shape))
	}
	if !d.Type().Numeric() {
		return nil, r.errorf("%s holds %s values, not numbers", label, d.Type())
	}
	v, err := hdf5.ReadNumeric[float32](d)
	if err != nil {
		return nil, r.wrap(err)
	}
	return &array.Dense{Rows: shape[0], Cols: shape[1], Data: v}, nil
}

// readSparse reads a csr_matrix or csc_matrix group as CSR, checking its
// structure so that later code can index it without bounds failures.
func (r *reader) readSparse(parent *hdf5.Group, name, label string, shared *array.CSR) (*array.CSR, error) {
	enc := r.groupEncoding(parent, name)
	if enc != encCSR && enc != encCSC {
		return nil, r.errorf("%s is a group of kind %q, not a matrix", label, orUnknown(enc))
	}
	g, err := parent.OpenGroup(name)
	if err != nil {
		return nil, r.wrap(err)
	}
	defer g.Close()
	shapeAttr := "shape"
	if !g.HasAttr(shapeAttr) {
		shapeAttr = "h5sparse_shape"
	}
	shape, err := g.AttrInt64s(shapeAttr)
	if err != nil {
		return nil, r.errorf("%s has no readable shape: %v", label, err)
	}
	if len(shape) != 2 || shape[0] < 0 || shape[1] < 0 || shape[0] > math.MaxInt32 || shape[1] > math.MaxInt32 {
		return nil, r.errorf("%s has invalid shape %v", label, shape)
	}
	csc := enc == encCSC
	major, minor := int(shape[0]), int(shape[1])
	if csc {
		major, minor = minor, major
	}
	for _, part := range []string{"data", "indices", "indptr"} {
		if !g.Has(part) {
			return nil, r.errorf("%s/%s is missing", label, part)
		}
	}
	m := &array.CSR{Rows: major, Cols: minor}
	if m.Data, err = r.readValues(g, "data", label); err != nil {
		return nil, err
	}
	if m.Indptr, err = r.readIndptr(g, label); err != nil {
		return nil, err
	}
	if !csc && r.sameStructure(g, m, shared) {
		m.Indptr, m.Indices = shared.Indptr, shared.Indices
	} else if m.Indices, err = r.readIndices(g, label, minor); err != nil {
		return nil, err
	}
	if m, err = compressed.Canonical(m, csc); err != nil {
		return nil, r.errorf("%s: %v", label, err)
	}
	return m, nil
}

// sameStructure reports whether the CSR matrix being read (m, with its
// indptr read) stores exactly shared's pointers and indices; the indices
// are compared without loading them. shared is canonical, so when they
// match, m is too and canonicalising it will not touch the shared slices.
func (r *reader) sameStructure(g *hdf5.Group, m, shared *array.CSR) bool {
	if shared == nil || m.Rows != shared.Rows || m.Cols != shared.Cols || !slices.Equal(m.Indptr, shared.Indptr) {
		return false
	}
	d, err := g.OpenDataset("indices")
	if err != nil {
		return false
	}
	defer d.Close()
	// Only types that narrow to int32 exactly: wider ones are range checked
	// by readIndices, which wrapping conversions here would bypass.
	if t := d.Type(); t.Class != hdf5.ClassInteger || len(d.Shape()) != 1 || t.Size > 4 || (t.Size == 4 && !t.Signed) {
		return false
	}
	same, err := hdf5.EqualNumeric(d, shared.Indices)
	return err == nil && same
}

func (r *reader) readValues(g *hdf5.Group, name, label string) ([]float32, error) {
	d, err := g.OpenDataset(name)
	if err != nil {
		return nil, r.wrap(err)
	}
	defer d.Close()
	if !d.Type().Numeric() || len(d.Shape()) != 1 {
		return nil, r.errorf("%s/%s is not a 1-D numeric array", label, name)
	}
	v, err := hdf5.ReadNumeric[float32](d)
	return v, r.wrap(err)
}

func (r *reader) readIndptr(g *hdf5.Group, label string) ([]int64, error) {
	d, err := g.OpenDataset("indptr")
	if err != nil {
		return nil, r.wrap(err)
	}
	defer d.Close()
	t := d.Type()
	if t.Class != hdf5.ClassInteger || len(d.Shape()) != 1 {
		return nil, r.errorf("%s/indptr is not a 1-D integer array", label)
	}
	v, err := hdf5.ReadNumeric[int64](d)
	return v, r.wrap(err)
}

// readIndices reads column indices as int32. Wider file types are range
// checked while narrowing, chunk by chunk, so that a huge index cannot wrap
// into range and no wide copy of the indices is held.
func (r *reader) readIndices(g *hdf5.Group, label string, minor int) ([]int32, error) {
	d, err := g.OpenDataset("indices")
	if err != nil {
		return nil, r.wrap(err)
	}
	defer d.Close()
	t := d.Type()
	if t.Class != hdf5.ClassInteger || len(d.Shape()) != 1 {
		return nil, r.errorf("%s/indices is not a 1-D integer array", label)
	}
	if t.Size < 4 || (t.Size == 4 && t.Signed) {
		v, err := hdf5.ReadNumeric[int32](d)
		return v, r.wrap(err)
	}
	v, err := hdf5.ReadIndices(d, int64(minor))
	var bad *hdf5.RangeError
	if errors.As(err, &bad) {
		return nil, r.errorf("%s/indices[%d] = %s is outside [0, %d)", label, bad.Index, bad.Value, minor)
	}
	return v, r.wrap(err)
}
