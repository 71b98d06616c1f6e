package velo

import (
	"fmt"
	"math"

	"github.com/velo-rna/velo/anndata"
	"github.com/velo-rna/velo/array"
)

// CheckCounts verifies that a holds what velocity estimation needs before any
// work is done: spliced and unspliced layers of the data's shape, at least
// one cell and one gene, and no negative or non-finite value in them.
func CheckCounts(a *anndata.AnnData) error {
	if a.NObs() == 0 {
		return fmt.Errorf("no cells")
	}
	if a.NVars() == 0 {
		return fmt.Errorf("no genes")
	}
	for _, name := range []string{"spliced", "unspliced"} {
		m, err := a.Layer(name)
		if err != nil {
			return fmt.Errorf("%w (velocity needs spliced and unspliced counts)", err)
		}
		if r, c := m.Shape(); r != a.NObs() || c != a.NVars() {
			return fmt.Errorf("layer %s is %d×%d but the data is %d×%d", name, r, c, a.NObs(), a.NVars())
		}
		if err := checkValues(name, m, a); err != nil {
			return err
		}
	}
	return nil
}

func checkValues(name string, m array.Matrix, a *anndata.AnnData) error {
	bad := func(i, j int, v float32) error {
		what := "a negative value"
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			what = "a non-finite value"
		}
		return fmt.Errorf("layer %s has %s (%g) at cell %q, gene %q", name, what, v, a.Obs.Index[i], a.Var.Index[j])
	}
	switch t := m.(type) {
	case *array.CSR:
		for i := 0; i < t.Rows; i++ {
			idx, val := t.RowView(i)
			for k, v := range val {
				if !(v >= 0) || math.IsInf(float64(v), 0) {
					return bad(i, int(idx[k]), v)
				}
			}
		}
	case *array.Dense:
		for k, v := range t.Data {
			if !(v >= 0) || math.IsInf(float64(v), 0) {
				return bad(k/t.Cols, k%t.Cols, v)
			}
		}
	}
	return nil
}
