package h5ad

import (
	"fmt"
	"strings"
	"weak"

	"github.com/velo-rna/velo/anndata"
	"github.com/velo-rna/velo/array"
	"github.com/velo-rna/velo/internal/atomicfile"
	"github.com/velo-rna/velo/internal/hdf5"
)

// WriteOptions tune how Write stores arrays. The zero value is Write's
// default: numbers uncompressed, as anndata writes them by default.
type WriteOptions struct {
	// FloatGzip is the deflate level (1–9, with the shuffle filter) for
	// floating-point arrays: dense matrices, sparse matrix values and float
	// columns. 0, the default, stores them uncompressed: velocity-sized
	// float32 layers only shrink to about 72–87% at any level, at ~60 MB/s
	// per core, so four 3696×1126 layers would cost about a second.
	FloatGzip int
	// IntGzip is the deflate level (1–9, with the shuffle filter) for
	// integer and boolean arrays: sparse indices and pointers, categorical
	// codes, integer and boolean columns. 0, the default, stores them
	// uncompressed. Level 1 shrinks sparse indices about six-fold, but on a
	// 100 000-cell velocity result (4.2 GB, most of it dense float32
	// layers) that saves only 14% of the file while deflate was most of
	// Write's CPU time (about 5 s of it) and inflate a large share of Read's.
	IntGzip int
}

// stringLayout stores string arrays, which are small next to the matrices
// and compress well.
var stringLayout = hdf5.Layout{Gzip: 4}

// Write writes a as an anndata 0.8 .h5ad file with the default options.
func Write(path string, a *anndata.AnnData) error {
	return WriteWith(path, a, WriteOptions{})
}

// WriteWith writes a as an anndata 0.8 .h5ad file: root attributes
// encoding-type "anndata" and encoding-version "0.1.0", groups X (when set),
// layers, obs, var, obsm, varm, obsp, varp and uns, every element carrying
// anndata's encoding attributes.
//
// The file appears atomically: it is written to a temporary file in the
// same directory and renamed when complete, and nothing is left behind on
// failure. Members are written in sorted order and objects carry no
// timestamps, so the same AnnData always gives the same bytes.
func WriteWith(path string, a *anndata.AnnData, opt WriteOptions) error {
	for _, level := range []int{opt.FloatGzip, opt.IntGzip} {
		if level < 0 || level > 9 {
			return fmt.Errorf("%s: gzip level %d is outside 0–9", path, level)
		}
	}
	if err := a.Validate(); err != nil {
		return fmt.Errorf("%s: cannot write: %w", path, err)
	}
	w := newWriter(opt)
	err := atomicfile.Write(path, func(tmp string) error {
		f, err := hdf5.Create(tmp)
		if err != nil {
			return err
		}
		root, err := f.Root()
		if err == nil {
			err = w.write(root, a)
			root.Close()
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// writer holds the storage choices of one Write and what it has written.
type writer struct {
	floats, ints hdf5.Layout
	// structures maps the Indices and Indptr arrays of sparse matrices
	// written so far to their group: a matrix sharing both with one of
	// them (as X and spliced do after Read) links to its datasets instead
	// of storing them again.
	structures map[structure]string
}

// structure identifies a CSR matrix's index and pointer arrays. The
// pointers are weak so that remembering a written matrix does not keep its
// arrays in memory: a stream writes the count layers early precisely so
// that they can be dropped (at a million cells their indices alone are
// gigabytes), and a weak pointer never equals one made to a later array
// that reuses the memory.
type structure struct {
	indices    weak.Pointer[int32]
	nnz        int
	indptr     weak.Pointer[int64]
	rows, cols int
}

func newWriter(opt WriteOptions) *writer {
	return &writer{
		floats:     hdf5.Layout{Gzip: opt.FloatGzip, Shuffle: opt.FloatGzip > 0},
		ints:       hdf5.Layout{Gzip: opt.IntGzip, Shuffle: opt.IntGzip > 0},
		structures: map[structure]string{},
	}
}

func (w *writer) write(root *hdf5.Group, a *anndata.AnnData) error {
	if err := setEncoding(root, encAnnData); err != nil {
		return err
	}
	if a.X != nil {
		if err := w.matrix(root, "X", a.X); err != nil {
			return err
		}
	}
	if err := writeMap(root, "layers", a.Layers, w.matrix); err != nil {
		return err
	}
	return w.annotations(root, a)
}

// annotations writes everything but X and the layers: obs, var, obsm, varm,
// obsp, an empty varp and uns.
func (w *writer) annotations(root *hdf5.Group, a *anndata.AnnData) error {
	if err := w.frame(root, "obs", a.Obs); err != nil {
		return err
	}
	if err := w.frame(root, "var", a.Var); err != nil {
		return err
	}
	if err := writeMap(root, "obsm", a.Obsm, w.dense); err != nil {
		return err
	}
	if err := writeMap(root, "varm", a.Varm, w.dense); err != nil {
		return err
	}
	if err := writeMap(root, "obsp", a.Obsp, w.csr); err != nil {
		return err
	}
	if err := writeMap(root, "varp", map[string]*array.CSR{}, w.csr); err != nil {
		return err
	}
	return w.dict(root, "uns", "uns", a.Uns)
}

// writeMap writes a dict group holding one element per key, in key order.
func writeMap[V any](parent *hdf5.Group, name string, m map[string]V, put func(*hdf5.Group, string, V) error) error {
	g, err := encodedGroup(parent, name, encDict)
	if err != nil {
		return err
	}
	defer g.Close()
	return writeMembers(g, name, m, put)
}

// writeMembers writes one element per key into the dict group g (named
// name in messages), in key order.
func writeMembers[V any](g *hdf5.Group, name string, m map[string]V, put func(*hdf5.Group, string, V) error) error {
	for _, k := range anndata.SortedKeys(m) {
		if err := memberName(name, k); err != nil {
			return err
		}
		if err := put(g, k, m[k]); err != nil {
			return err
		}
	}
	return nil
}

// memberName refuses keys HDF5 cannot store as one member name: they would
// silently become nested paths or fail with an obscure message.
func memberName(parent, name string) error {
	if name == "" || name == "." || strings.Contains(name, "/") {
		return fmt.Errorf("%s: key %q cannot be stored (empty, \".\" or containing \"/\")", parent, name)
	}
	return nil
}

// encodedGroup creates a group with the given encoding.
func encodedGroup(parent *hdf5.Group, name, enc string) (*hdf5.Group, error) {
	g, err := parent.CreateGroup(name)
	if err != nil {
		return nil, err
	}
	if err := setEncoding(g, enc); err != nil {
		g.Close()
		return nil, err
	}
	return g, nil
}

// encode sets the encoding of a freshly written dataset and closes it.
func encode(d *hdf5.Dataset, err error, enc string) error {
	if err != nil {
		return err
	}
	defer d.Close()
	return setEncoding(d, enc)
}

func (w *writer) matrix(parent *hdf5.Group, name string, m array.Matrix) error {
	switch t := m.(type) {
	case *array.Dense:
		return w.dense(parent, name, t)
	case *array.CSR:
		return w.csr(parent, name, t)
	}
	return fmt.Errorf("%s: unsupported matrix type %T", name, m)
}

func (w *writer) dense(parent *hdf5.Group, name string, m *array.Dense) error {
	d, err := hdf5.WriteNumeric(parent, name, m.Data, []int{m.Rows, m.Cols}, w.floats)
	return encode(d, err, encArray)
}

// csr writes a csr_matrix group. Its structure is checked first so that a
// file velo writes is always one anndata and scipy accept. A matrix whose
// Indices and Indptr are the very arrays of one written before gets hard
// links to that one's datasets: readers see ordinary members, and the
// structure is stored once.
func (w *writer) csr(parent *hdf5.Group, name string, m *array.CSR) error {
	if err := m.Validate(); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	g, err := encodedGroup(parent, name, encCSR)
	if err != nil {
		return err
	}
	defer g.Close()
	if err := g.SetAttrInt64s("shape", []int64{int64(m.Rows), int64(m.Cols)}); err != nil {
		return err
	}
	d, err := hdf5.WriteNumeric(g, "data", m.Data, nil, w.floats)
	if err != nil {
		return err
	}
	d.Close()
	var key structure
	if len(m.Indices) > 0 {
		key = structure{weak.Make(&m.Indices[0]), len(m.Indices), weak.Make(&m.Indptr[0]), m.Rows, m.Cols}
		if at, ok := w.structures[key]; ok {
			if err := g.Link("indices", at+"/indices"); err != nil {
				return err
			}
			return g.Link("indptr", at+"/indptr")
		}
	}
	for _, part := range []func() (*hdf5.Dataset, error){
		func() (*hdf5.Dataset, error) { return hdf5.WriteNumeric(g, "indices", m.Indices, nil, w.ints) },
		func() (*hdf5.Dataset, error) { return hdf5.WriteNumeric(g, "indptr", m.Indptr, nil, w.ints) },
	} {
		d, err := part()
		if err != nil {
			return err
		}
		d.Close()
	}
	if key.nnz > 0 {
		w.structures[key] = g.Path()
	}
	return nil
}
