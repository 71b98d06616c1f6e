package graph

import (
	"fmt"
	"math"

	"github.com/velo-rna/velo/anndata"
	"github.com/velo-rna/velo/array"
	"github.com/velo-rna/velo/internal/parallel"
)

// Keys scVelo reads and writes; the velocity key ("velocity" by default)
// prefixes most of them.
const (
	defaultVKey      = "velocity"
	defaultXKey      = "Ms"
	fallbackXKey     = "spliced"
	distancesKey     = "distances"
	connectivityKey  = "connectivities"
	paramsSuffix     = "_params"
	graphSuffix      = "_graph"
	graphNegSuffix   = "_graph_neg"
	genesSuffix      = "_genes"
	selfTransSuffix  = "_self_transition"
	clustersFallback = "clusters"
)

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// velocityGenes returns the positions of the genes scVelo's downstream tools
// use: var <vkey>_genes when the column exists (every gene otherwise), minus
// genes whose velocity is NaN in any cell.
func velocityGenes(a *anndata.AnnData, vkey string, v array.Matrix) ([]int, error) {
	keep, err := varGenes(a, vkey)
	if err != nil {
		return nil, err
	}
	switch t := v.(type) {
	case *array.Dense:
		// Only still-selected columns are scanned, rows in parallel;
		// each chunk marks NaN columns in its own slice and the marks are
		// OR-ed, which no order can change.
		var cols []int
		for j, k := range keep {
			if k {
				cols = append(cols, j)
			}
		}
		const chunk = 4096
		bad := make([][]bool, parallel.Chunks(t.Rows, chunk))
		parallel.For(t.Rows, chunk, 0, func(c, lo, hi int) {
			for i := lo; i < hi; i++ {
				row := t.Row(i)
				for k, j := range cols {
					if x := row[j]; x != x {
						if bad[c] == nil {
							bad[c] = make([]bool, len(cols))
						}
						bad[c][k] = true
					}
				}
			}
		})
		for _, b := range bad {
			for k, isBad := range b {
				if isBad {
					keep[cols[k]] = false
				}
			}
		}
	case *array.CSR:
		for k, x := range t.Data {
			if x != x {
				keep[t.Indices[k]] = false
			}
		}
	}
	return geneList(keep, vkey)
}

// varGenes reports which genes var <vkey>_genes selects (every gene when
// the column is absent).
func varGenes(a *anndata.AnnData, vkey string) ([]bool, error) {
	keep := make([]bool, a.NVars())
	for j := range keep {
		keep[j] = true
	}
	if d, ok := a.Var.Get(vkey + genesSuffix); ok {
		switch t := d.(type) {
		case []bool:
			copy(keep, t)
		default:
			f, err := a.Var.Float64(vkey + genesSuffix)
			if err != nil {
				return nil, fmt.Errorf("var %q: %w", vkey+genesSuffix, err)
			}
			for j, x := range f {
				keep[j] = x != 0
			}
		}
	}
	return keep, nil
}

// geneList returns the positions of the kept genes.
func geneList(keep []bool, vkey string) ([]int, error) {
	var genes []int
	for j, k := range keep {
		if k {
			genes = append(genes, j)
		}
	}
	if len(genes) == 0 {
		return nil, fmt.Errorf("no usable velocity genes (var %q selects none, or every velocity column has NaN)", vkey+genesSuffix)
	}
	return genes, nil
}

// stepGenes returns the genes a step uses: velocityGenes over the velocity
// layer in whole-layer mode; with rows set, the genes var <vkey>_genes
// selects, since NaN velocities are then an error, found block by block.
func stepGenes(a *anndata.AnnData, vkey string, rows RowsFunc) (layer array.Matrix, genes []int, err error) {
	if rows != nil {
		keep, err := varGenes(a, vkey)
		if err != nil {
			return nil, nil, err
		}
		genes, err := geneList(keep, vkey)
		return nil, genes, err
	}
	layer, err = layerOf(a, vkey)
	if err != nil {
		return nil, nil, fmt.Errorf("%w (run velocity first)", err)
	}
	genes, err = velocityGenes(a, vkey, layer)
	return layer, genes, err
}

// layerOf returns a layer with a checked shape.
func layerOf(a *anndata.AnnData, key string) (array.Matrix, error) {
	m, err := a.Layer(key)
	if err != nil {
		return nil, err
	}
	if r, c := m.Shape(); r != a.NObs() || c != a.NVars() {
		return nil, fmt.Errorf("layer %q is %d×%d, want %d×%d", key, r, c, a.NObs(), a.NVars())
	}
	return m, nil
}

// rowNorms returns the Euclidean norm of each row, accumulated in float64.
func rowNorms(d *array.Dense) []float64 {
	out := make([]float64, d.Rows)
	for i := range out {
		var s float64
		for _, x := range d.Row(i) {
			s += float64(x) * float64(x)
		}
		out[i] = math.Sqrt(s)
	}
	return out
}

// velocityParams returns uns[<vkey>_params], creating it when missing.
func velocityParams(a *anndata.AnnData, vkey string) map[string]any {
	if a.Uns == nil {
		a.Uns = map[string]any{}
	}
	if p, ok := a.Uns[vkey+paramsSuffix].(map[string]any); ok {
		return p
	}
	p := map[string]any{}
	a.Uns[vkey+paramsSuffix] = p
	return p
}

// centredMoments returns the sum of row and the sum of squares of its
// deviations from its mean, two-pass in float64.
func centredMoments(row []float32) (sum, ss float64) {
	for _, x := range row {
		sum += float64(x)
	}
	m := sum / float64(len(row))
	for _, x := range row {
		d := float64(x) - m
		ss += d * d
	}
	return sum, ss
}
