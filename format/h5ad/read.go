package h5ad

import (
	"errors"
	"fmt"
	"os"
	"regexp"
	"sync"

	"github.com/velo-rna/velo/anndata"
	"github.com/velo-rna/velo/array"
	"github.com/velo-rna/velo/internal/hdf5"
)

// Skipped names a part of a file that was not loaded, and why.
type Skipped struct {
	Path   string // inside the file, e.g. "raw" or "obsm/df"
	Reason string
}

// String gives the path and the reason on one line, for messages to users.
func (s Skipped) String() string { return s.Path + ": " + s.Reason }

// storedEOF finds the size a truncated file should have in libhdf5's
// message.
var storedEOF = regexp.MustCompile(`stored_eof = (\d+)`)

// Read loads an .h5ad file. Errors name the file and the problem in one
// line, e.g. `x.h5ad: layers/spliced is 3696×2000 but X is 3696×1999`.
//
// A sparse layer that stores exactly X's sparsity structure (scVelo's
// spliced layer often does) shares X's Indices and Indptr slices instead
// of holding a copy: at a million cells that saves gigabytes. Code that
// changes a matrix's Indices or Indptr in place must therefore treat the
// sharers together or Clone first (SortIndices leaves the sorted rows of a
// read matrix untouched). Beyond the arrays it returns, a read needs a
// bounded amount of memory (tens of megabytes), never a second copy of an
// array, whatever the file's compression and integer widths.
func Read(path string) (*anndata.AnnData, error) {
	a, _, err := ReadSkipping(path)
	return a, err
}

// ReadSkipping is Read that also lists the parts of the file it skipped
// because the in-memory AnnData cannot hold them (see the package
// documentation), so callers can tell users.
func ReadSkipping(path string) (*anndata.AnnData, []Skipped, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, nil, err
	}
	f, err := hdf5.Open(path)
	switch {
	case errors.Is(err, hdf5.ErrNotHDF5):
		return nil, nil, fmt.Errorf("%s: not an HDF5 file", path)
	case errors.Is(err, hdf5.ErrTruncated):
		if m := storedEOF.FindStringSubmatch(err.Error()); m != nil {
			return nil, nil, fmt.Errorf("%s: file is truncated: %d bytes of %s", path, fi.Size(), m[1])
		}
		return nil, nil, fmt.Errorf("%s: file is truncated (%v)", path, err)
	case err != nil:
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	defer f.Close()
	root, err := f.Root()
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	defer root.Close()
	r := &reader{path: path, root: root}
	a, err := r.read()
	if err != nil {
		return nil, nil, err
	}
	return a, r.skipped, nil
}

// reader carries what every part of a read needs.
type reader struct {
	path    string
	root    *hdf5.Group
	mu      sync.Mutex // guards skipped
	skipped []Skipped
}

func (r *reader) errorf(format string, args ...any) error {
	return fmt.Errorf("%s: %s", r.path, fmt.Sprintf(format, args...))
}

// wrap prefixes an error from the HDF5 layer with the file name.
func (r *reader) wrap(err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %w", r.path, err)
}

func (r *reader) skip(path, reason string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.skipped = append(r.skipped, Skipped{Path: path, Reason: reason})
}

func (r *reader) read() (*anndata.AnnData, error) {
	if enc := encodingOf(r.root); enc != "" && enc != encAnnData {
		return nil, r.errorf("root encoding-type is %q, not %q", enc, encAnnData)
	}
	for _, name := range []string{"obs", "var"} {
		if !r.root.Has(name) {
			if r.root.Has("matrix") && r.root.Has("row_attrs") {
				return nil, r.errorf("this is a loom file, not an h5ad file")
			}
			return nil, r.errorf("not an AnnData file: %s is missing", name)
		}
	}
	obs, err := r.readFrame("obs")
	if err != nil {
		return nil, err
	}
	vars, err := r.readFrame("var")
	if err != nil {
		return nil, err
	}
	a := anndata.New(obs.Index, vars.Index)
	a.Obs, a.Var = obs, vars
	n, g := a.NObs(), a.NVars()

	if err := r.readData(a); err != nil {
		return nil, err
	}
	if a.Obsm, err = r.readAxisMatrices("obsm", "obs", n); err != nil {
		return nil, err
	}
	if a.Varm, err = r.readAxisMatrices("varm", "var", g); err != nil {
		return nil, err
	}
	if a.Obsp, err = r.readGraphs(n); err != nil {
		return nil, err
	}
	if r.root.Has("uns") {
		if a.Uns, err = r.readDict("uns"); err != nil {
			return nil, err
		}
	}
	legacyCategories(a)
	for _, name := range []string{"raw", "varp"} {
		r.skipNonEmpty(name, "velo's AnnData has no "+name)
	}
	if err := a.Obs.Validate(); err != nil {
		return nil, r.errorf("obs: %v", err)
	}
	if err := a.Var.Validate(); err != nil {
		return nil, r.errorf("var: %v", err)
	}
	return a, nil
}

// skipNonEmpty records a top-level element that is present and not empty.
func (r *reader) skipNonEmpty(name, reason string) {
	if !r.root.Has(name) {
		return
	}
	if k, err := r.root.Kind(name); err == nil && k == hdf5.KindGroup {
		g, err := r.root.OpenGroup(name)
		if err != nil {
			return
		}
		defer g.Close()
		if kids, err := g.Children(); err == nil && len(kids) == 0 {
			return
		}
	}
	r.skip(name, reason)
}

// children opens a top-level mapping group (layers, obsm, …) and lists its
// members; a missing group is empty.
func (r *reader) children(name string) (*hdf5.Group, []string, error) {
	if !r.root.Has(name) {
		return nil, nil, nil
	}
	g, err := r.root.OpenGroup(name)
	if err != nil {
		return nil, nil, r.wrap(err)
	}
	kids, err := g.Children()
	if err != nil {
		g.Close()
		return nil, nil, r.wrap(err)
	}
	return g, kids, nil
}

// readData reads X and then the layers. The layers are read concurrently:
// each one's decompression already uses every core, and this overlaps one
// matrix's checks with another's decompression. A sparse layer whose
// structure equals X's shares X's Indices and Indptr (see Read).
func (r *reader) readData(a *anndata.AnnData) error {
	n, g := a.NObs(), a.NVars()
	refName := "obs×var"
	var shared *array.CSR
	if r.root.Has("X") {
		refName = "X"
		m, err := r.readMatrix(r.root, "X", "X")
		if err != nil {
			return err
		}
		if rows, cols := m.Shape(); rows != n || cols != g {
			return r.errorf("X is %d×%d but obs×var is %d×%d", rows, cols, n, g)
		}
		a.X = m
		shared, _ = m.(*array.CSR)
	}
	layers, names, err := r.children("layers")
	if err != nil {
		return err
	}
	if layers != nil {
		defer layers.Close()
	}
	type job struct {
		name string
		m    array.Matrix
		err  error
	}
	jobs := make([]*job, len(names))
	var wg sync.WaitGroup
	for i, k := range names {
		jobs[i] = &job{name: k}
		wg.Add(1)
		go func(j *job) {
			defer wg.Done()
			j.m, j.err = r.readMatrixSharing(layers, j.name, "layers/"+j.name, shared)
		}(jobs[i])
	}
	wg.Wait()
	for _, j := range jobs {
		if j.err != nil {
			return j.err
		}
		if rows, cols := j.m.Shape(); rows != n || cols != g {
			return r.errorf("layers/%s is %d×%d but %s is %d×%d", j.name, rows, cols, refName, n, g)
		}
		a.Layers[j.name] = j.m
	}
	return nil
}

// readAxisMatrices reads obsm or varm: matrices with one row per cell or
// gene. Sparse entries are densified; data frames are skipped.
func (r *reader) readAxisMatrices(name, axis string, rows int) (map[string]*array.Dense, error) {
	out := map[string]*array.Dense{}
	g, kids, err := r.children(name)
	if g == nil || err != nil {
		return out, err
	}
	defer g.Close()
	for _, k := range kids {
		label := name + "/" + k
		if kind, err := g.Kind(k); err != nil {
			return nil, r.wrap(err)
		} else if kind == hdf5.KindGroup {
			if enc := r.groupEncoding(g, k); enc != encCSR && enc != encCSC {
				r.skip(label, fmt.Sprintf("%s entries of kind %q are not supported", name, orUnknown(enc)))
				continue
			}
		} else if ok, why := r.isMatrixDataset(g, k); !ok {
			r.skip(label, why)
			continue
		}
		m, err := r.readMatrix(g, k, label)
		if err != nil {
			return nil, err
		}
		if got, _ := m.Shape(); got != rows {
			return nil, r.errorf("%s has %d rows but %s has %d", label, got, axis, rows)
		}
		out[k] = array.AsDense(m)
	}
	return out, nil
}

func (r *reader) readGraphs(n int) (map[string]*array.CSR, error) {
	out := map[string]*array.CSR{}
	g, kids, err := r.children("obsp")
	if g == nil || err != nil {
		return out, err
	}
	defer g.Close()
	for _, k := range kids {
		label := "obsp/" + k
		m, err := r.readMatrix(g, k, label)
		if err != nil {
			return nil, err
		}
		if rows, cols := m.Shape(); rows != n || cols != n {
			return nil, r.errorf("%s is %d×%d but must be %d×%d (obs×obs)", label, rows, cols, n, n)
		}
		out[k] = array.AsCSR(m)
	}
	return out, nil
}

// groupEncoding returns a member group's encoding, recognising anndata
// 0.6's h5sparse_format attribute for sparse matrices.
func (r *reader) groupEncoding(parent *hdf5.Group, name string) string {
	g, err := parent.OpenGroup(name)
	if err != nil {
		return ""
	}
	defer g.Close()
	if enc := encodingOf(g); enc != "" {
		return enc
	}
	if g.HasAttr("h5sparse_format") {
		if f, err := g.AttrString("h5sparse_format"); err == nil {
			return f + "_matrix"
		}
	}
	return ""
}

// isMatrixDataset reports whether a member dataset is a numeric 2-D array,
// and if not, why.
func (r *reader) isMatrixDataset(parent *hdf5.Group, name string) (bool, string) {
	d, err := parent.OpenDataset(name)
	if err != nil {
		return false, err.Error()
	}
	defer d.Close()
	if !d.Type().Numeric() {
		return false, fmt.Sprintf("a %s array is not a matrix", d.Type())
	}
	if len(d.Shape()) != 2 {
		return false, fmt.Sprintf("a %d-dimensional array is not a matrix", len(d.Shape()))
	}
	return true, ""
}

func orUnknown(enc string) string {
	if enc == "" {
		return "group without encoding"
	}
	return enc
}
