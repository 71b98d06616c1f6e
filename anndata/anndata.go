// Package anndata is velo's in-memory AnnData: an annotated cells × genes
// matrix with layers, per-cell (obs) and per-gene (var) tables, per-cell
// matrices (obsm), per-gene matrices (varm), cell × cell graphs (obsp) and
// unstructured metadata (uns), mirroring Python's anndata so files round-trip
// through h5ad with the same keys.
package anndata

import (
	"fmt"

	"github.com/velo-rna/velo/array"
)

// AnnData is an annotated data matrix of NObs cells × NVars genes.
//
// X and every layer are NObs × NVars; obsm matrices have NObs rows, varm
// matrices NVars rows, obsp graphs are NObs × NObs. Uns holds nested
// metadata: map[string]any, string, bool, int64, float64, []string,
// []float64, []int64, []bool, *array.Dense and *array.CSR values.
type AnnData struct {
	X      array.Matrix
	Layers map[string]array.Matrix
	Obs    *Frame
	Var    *Frame
	Obsm   map[string]*array.Dense
	Varm   map[string]*array.Dense
	Obsp   map[string]*array.CSR
	Uns    map[string]any
}

// New returns an empty AnnData with the given cell and gene names.
func New(obsNames, varNames []string) *AnnData {
	return &AnnData{
		Layers: map[string]array.Matrix{},
		Obs:    NewFrame(obsNames),
		Var:    NewFrame(varNames),
		Obsm:   map[string]*array.Dense{},
		Varm:   map[string]*array.Dense{},
		Obsp:   map[string]*array.CSR{},
		Uns:    map[string]any{},
	}
}

// NObs returns the number of cells.
func (a *AnnData) NObs() int { return a.Obs.Len() }

// NVars returns the number of genes.
func (a *AnnData) NVars() int { return a.Var.Len() }

// Layer returns the named layer, or an error naming the missing key.
func (a *AnnData) Layer(name string) (array.Matrix, error) {
	m, ok := a.Layers[name]
	if !ok {
		return nil, fmt.Errorf("layer %q is missing", name)
	}
	return m, nil
}

// Validate checks that every component has the shape the AnnData model
// requires and that cell and gene names are unique.
func (a *AnnData) Validate() error {
	n, g := a.NObs(), a.NVars()
	check := func(what string, m array.Matrix, rows, cols int) error {
		r, c := m.Shape()
		if r != rows || (cols >= 0 && c != cols) {
			if cols < 0 {
				return fmt.Errorf("%s has %d rows, want %d", what, r, rows)
			}
			return fmt.Errorf("%s is %d×%d, want %d×%d", what, r, c, rows, cols)
		}
		return nil
	}
	if a.X != nil {
		if err := check("X", a.X, n, g); err != nil {
			return err
		}
	}
	for _, k := range SortedKeys(a.Layers) {
		if err := check("layer "+k, a.Layers[k], n, g); err != nil {
			return err
		}
	}
	for _, k := range SortedKeys(a.Obsm) {
		if err := check("obsm "+k, a.Obsm[k], n, -1); err != nil {
			return err
		}
	}
	for _, k := range SortedKeys(a.Varm) {
		if err := check("varm "+k, a.Varm[k], g, -1); err != nil {
			return err
		}
	}
	for _, k := range SortedKeys(a.Obsp) {
		if err := check("obsp "+k, a.Obsp[k], n, n); err != nil {
			return err
		}
	}
	if err := a.Obs.Validate(); err != nil {
		return fmt.Errorf("obs: %w", err)
	}
	if err := a.Var.Validate(); err != nil {
		return fmt.Errorf("var: %w", err)
	}
	return nil
}

// SubsetVars keeps the genes at the given strictly increasing positions in X,
// layers, var and varm, in place. Sparse X and layers are compacted within
// their own arrays (array.KeepCols), so filtering genes of a large count
// matrix needs no second copy of it, and X and a layer that share their
// structure keep sharing it; any other reference to those matrices sees
// the change. Obs-side data is unchanged.
func (a *AnnData) SubsetVars(keep []int) {
	var sparse []*array.CSR
	if c, ok := a.X.(*array.CSR); ok {
		sparse = append(sparse, c)
	} else if a.X != nil {
		a.X = selectCols(a.X, keep)
	}
	for _, k := range SortedKeys(a.Layers) {
		if c, ok := a.Layers[k].(*array.CSR); ok {
			sparse = append(sparse, c)
		} else {
			a.Layers[k] = selectCols(a.Layers[k], keep)
		}
	}
	array.KeepCols(keep, sparse...)
	for k, m := range a.Varm {
		a.Varm[k] = m.SelectRows(keep)
	}
	a.Var = a.Var.Subset(keep)
}

// SubsetObs keeps the cells at the given positions in X, layers, obs, obsm
// and obsp, in place. Graphs in uns are not touched.
func (a *AnnData) SubsetObs(keep []int) {
	if a.X != nil {
		a.X = selectRows(a.X, keep)
	}
	for k, m := range a.Layers {
		a.Layers[k] = selectRows(m, keep)
	}
	for k, m := range a.Obsm {
		a.Obsm[k] = m.SelectRows(keep)
	}
	cols := keep
	for k, m := range a.Obsp {
		sub := m.SelectRows(keep)
		if sortedUnique(cols) {
			a.Obsp[k] = sub.SelectCols(cols)
		} else {
			delete(a.Obsp, k) // a reordering subset invalidates graphs; callers recompute
		}
	}
	a.Obs = a.Obs.Subset(keep)
}

func sortedUnique(x []int) bool {
	for i := 1; i < len(x); i++ {
		if x[i] <= x[i-1] {
			return false
		}
	}
	return true
}

func selectCols(m array.Matrix, keep []int) array.Matrix {
	switch t := m.(type) {
	case *array.Dense:
		return t.SelectCols(keep)
	case *array.CSR:
		return t.SelectCols(keep)
	}
	panic("anndata: unknown matrix type")
}

func selectRows(m array.Matrix, keep []int) array.Matrix {
	switch t := m.(type) {
	case *array.Dense:
		return t.SelectRows(keep)
	case *array.CSR:
		return t.SelectRows(keep)
	}
	panic("anndata: unknown matrix type")
}
