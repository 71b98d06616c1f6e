package preprocess

import (
	"fmt"
	"math"

	"github.com/velo-rna/velo/anndata"
	"github.com/velo-rna/velo/array"
	"github.com/velo-rna/velo/internal/parallel"
)

// matrixName is how errors name X or a layer.
func matrixName(key string) string {
	if key == "X" {
		return "X"
	}
	return "layer " + key
}

// getMatrix returns X (key "X") or the named layer, or an error naming
// what is missing. The matrix must be NObs × NVars.
func getMatrix(a *anndata.AnnData, key string) (array.Matrix, error) {
	var m array.Matrix
	if key == "X" {
		if a.X == nil {
			return nil, fmt.Errorf("X is missing")
		}
		m = a.X
	} else {
		var err error
		if m, err = a.Layer(key); err != nil {
			return nil, err
		}
	}
	if r, c := m.Shape(); r != a.NObs() || c != a.NVars() {
		return nil, fmt.Errorf("%s is %d×%d but the AnnData has %d cells and %d genes", matrixName(key), r, c, a.NObs(), a.NVars())
	}
	return m, nil
}

// checkValues returns an error naming the first NaN or infinite entry of
// the matrix, or the first negative one when counts is set.
func checkValues(a *anndata.AnnData, key string, m array.Matrix, counts bool) error {
	bad := func(v float32) bool {
		f := float64(v)
		return math.IsNaN(f) || math.IsInf(f, 0) || (counts && v < 0)
	}
	describe := func(i, j int, v float32) error {
		what := "non-finite"
		if v < 0 && !math.IsInf(float64(v), 0) {
			what = "negative"
		}
		return fmt.Errorf("%s has %s values (cell %d %q, gene %d %q: %v)",
			matrixName(key), what, i, a.Obs.Index[i], j, a.Var.Index[j], v)
	}
	// Chunks scan in parallel; the first bad entry of the first chunk
	// holding one is reported, whatever the number of threads.
	rows, cols := m.Shape()
	type hit struct {
		found bool
		i, j  int
		v     float32
	}
	hits := make([]hit, parallel.Chunks(rows, checkChunk))
	parallel.For(rows, checkChunk, 0, func(c, lo, hi int) {
		for i := lo; i < hi; i++ {
			var idx []int32
			var val []float32
			switch t := m.(type) {
			case *array.CSR:
				idx, val = t.RowView(i)
			case *array.Dense:
				val = t.Data[i*cols : (i+1)*cols]
			}
			for k, v := range val {
				if bad(v) {
					hits[c] = hit{true, i, col(idx, k), v}
					return
				}
			}
		}
	})
	for _, h := range hits {
		if h.found {
			return describe(h.i, h.j, h.v)
		}
	}
	return nil
}

// checkChunk is the number of rows one goroutine checks at a time.
const checkChunk = 1024

// checkCountMatrices validates the named matrices that are present ("X"
// or layer names) as count matrices: right shape, finite, non-negative.
func checkCountMatrices(a *anndata.AnnData, keys ...string) error {
	for _, k := range keys {
		if k != "X" {
			if _, ok := a.Layers[k]; !ok {
				continue
			}
		} else if a.X == nil {
			continue
		}
		m, err := getMatrix(a, k)
		if err != nil {
			return err
		}
		if err := checkValues(a, k, m, true); err != nil {
			return err
		}
	}
	return nil
}

// checkShape refuses an AnnData without cells or genes.
func checkShape(a *anndata.AnnData) error {
	if a.NObs() == 0 {
		return fmt.Errorf("the AnnData has no cells")
	}
	if a.NVars() == 0 {
		return fmt.Errorf("the AnnData has no genes")
	}
	return nil
}
