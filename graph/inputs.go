package graph

import (
	"fmt"
	"math"

	"github.com/velo-rna/velo/anndata"
	"github.com/velo-rna/velo/array"
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
	g := a.NVars()
	keep := make([]bool, g)
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
	switch t := v.(type) {
	case *array.Dense:
		for i := 0; i < t.Rows; i++ {
			for j, x := range t.Row(i) {
				if x != x {
					keep[j] = false
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

// gather copies the given columns of m into a dense n × stride float32
// matrix; columns past len(cols) stay zero (padding for the vector kernels).
func gather(m array.Matrix, cols []int, stride int) *array.Dense {
	r, c := m.Shape()
	out := array.NewDense(r, stride)
	switch t := m.(type) {
	case *array.Dense:
		for i := 0; i < r; i++ {
			src, dst := t.Row(i), out.Row(i)
			for k, j := range cols {
				dst[k] = src[j]
			}
		}
	case *array.CSR:
		pos := make([]int, c)
		for j := range pos {
			pos[j] = -1
		}
		for k, j := range cols {
			pos[j] = k
		}
		for i := 0; i < r; i++ {
			idx, val := t.RowView(i)
			dst := out.Row(i)
			for k, j := range idx {
				if p := pos[j]; p >= 0 {
					dst[p] = val[k]
				}
			}
		}
	default:
		panic("graph: unknown matrix type")
	}
	return out
}

// centerRows subtracts each row's mean over its first g entries from those
// entries. The mean is accumulated in float64, so a constant row becomes
// exactly zero.
func centerRows(d *array.Dense, g int) {
	for i := 0; i < d.Rows; i++ {
		row := d.Row(i)[:g]
		var s float64
		for _, x := range row {
			s += float64(x)
		}
		mean := s / float64(g)
		for k, x := range row {
			row[k] = float32(float64(x) - mean)
		}
	}
}

// signedSqrt replaces every entry x by sign(x)·√|x| (scVelo's variance
// stabilising transform), in float32 as numpy does.
func signedSqrt(d *array.Dense) {
	for k, x := range d.Data {
		d.Data[k] = float32(math.Copysign(math.Sqrt(math.Abs(float64(x))), float64(x)))
	}
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
