package zarr

import (
	"fmt"
	"os"

	"github.com/velo-rna/velo/anndata"
	"github.com/velo-rna/velo/array"
	"github.com/velo-rna/velo/format/h5ad"
)

// Read loads an AnnData zarr store (a directory). Errors name the store
// and the problem in one line, e.g. `x.zarr: layers/spliced is 7×4 but X
// is 7×5`.
func Read(path string) (*anndata.AnnData, error) {
	a, _, err := ReadSkipping(path)
	return a, err
}

// ReadSkipping is Read that also lists the parts of the store it skipped
// because the in-memory AnnData cannot hold them, so callers can tell users.
func ReadSkipping(path string) (*anndata.AnnData, []h5ad.Skipped, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, nil, err
	}
	if !fi.IsDir() {
		return nil, nil, fmt.Errorf("%s: a zarr store is a directory", path)
	}
	r := &reader{path: path, s: store{root: path}}
	a, err := r.read()
	if err != nil {
		return nil, nil, err
	}
	return a, r.skipped, nil
}

// reader carries what every part of a read needs.
type reader struct {
	path    string
	s       store
	skipped []h5ad.Skipped
}

func (r *reader) errorf(format string, args ...any) error {
	return fmt.Errorf("%s: %s", r.path, fmt.Sprintf(format, args...))
}

// wrap prefixes an error from the store layer with the store's path.
func (r *reader) wrap(err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %w", r.path, err)
}

func (r *reader) skip(path, reason string) {
	r.skipped = append(r.skipped, h5ad.Skipped{Path: path, Reason: reason})
}

// array reads one array, its errors prefixed with the store's path.
func (r *reader) array(elem string) (*zarray, error) {
	a, err := r.s.readArray(elem)
	return a, r.wrap(err)
}

func (r *reader) read() (*anndata.AnnData, error) {
	if !r.s.isGroup("") {
		return nil, r.errorf("not a zarr store (%s is missing)", fileGroup)
	}
	if enc := r.s.encoding(""); enc != "" && enc != "anndata" {
		return nil, r.errorf("root encoding-type is %q, not \"anndata\"", enc)
	}
	for _, name := range []string{"obs", "var"} {
		if !r.s.has(name) {
			return nil, r.errorf("not an AnnData store: %s is missing", name)
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
	if r.s.isGroup("uns") {
		if a.Uns, err = r.readDict("uns"); err != nil {
			return nil, err
		}
	}
	for _, name := range []string{"raw", "varp"} {
		if kids, _ := r.s.children(name); len(kids) > 0 || r.s.isArray(name) {
			r.skip(name, "velo's AnnData has no "+name)
		}
	}
	if err := a.Obs.Validate(); err != nil {
		return nil, r.errorf("obs: %v", err)
	}
	if err := a.Var.Validate(); err != nil {
		return nil, r.errorf("var: %v", err)
	}
	return a, nil
}

// readData reads X and the layers, checking each has the obs×var shape.
func (r *reader) readData(a *anndata.AnnData) error {
	n, g := a.NObs(), a.NVars()
	if r.s.has("X") {
		m, err := r.readMatrix("X")
		if err != nil {
			return err
		}
		if rows, cols := m.Shape(); rows != n || cols != g {
			return r.errorf("X is %d×%d but obs×var is %d×%d", rows, cols, n, g)
		}
		a.X = m
	}
	names, err := r.members("layers")
	if err != nil {
		return err
	}
	for _, k := range names {
		label := "layers/" + k
		m, err := r.readMatrix(label)
		if err != nil {
			return err
		}
		if rows, cols := m.Shape(); rows != n || cols != g {
			return r.errorf("%s is %d×%d but obs×var is %d×%d", label, rows, cols, n, g)
		}
		a.Layers[k] = m
	}
	return nil
}

// members lists a top-level mapping group (layers, obsm, …); a missing
// group is empty.
func (r *reader) members(name string) ([]string, error) {
	if !r.s.isGroup(name) {
		return nil, nil
	}
	kids, err := r.s.children(name)
	return kids, r.wrap(err)
}

// readAxisMatrices reads obsm or varm: matrices with one row per cell or
// gene. Sparse entries are densified; data frames are skipped.
func (r *reader) readAxisMatrices(name, axis string, rows int) (map[string]*array.Dense, error) {
	out := map[string]*array.Dense{}
	kids, err := r.members(name)
	if err != nil {
		return nil, err
	}
	for _, k := range kids {
		label := name + "/" + k
		if r.s.isGroup(label) {
			if enc := r.s.encoding(label); enc != "csr_matrix" && enc != "csc_matrix" {
				r.skip(label, fmt.Sprintf("%s entries of kind %q are not supported", name, orUnknown(enc)))
				continue
			}
		}
		m, err := r.readMatrix(label)
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
	kids, err := r.members("obsp")
	if err != nil {
		return nil, err
	}
	for _, k := range kids {
		label := "obsp/" + k
		m, err := r.readMatrix(label)
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

func orUnknown(enc string) string {
	if enc == "" {
		return "group without encoding"
	}
	return enc
}
