package report

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/velo-rna/velo/anndata"
)

// Distribution summarises one per-cell quantity.
type Distribution struct {
	Key              string
	Median, Min, Max float64
}

// Summary describes a result: its size, what it holds, the velocity
// parameters it was made with and the filtering numbers it records.
type Summary struct {
	Cells, Genes int
	Layers       []string
	// Mode is uns velocity_params["mode"] ("" when absent).
	Mode string
	// VelocityGenes counts var velocity_genes (−1 when absent).
	VelocityGenes int
	// HighlyVariable counts var highly_variable (−1 when absent).
	HighlyVariable int
	// Params lists uns velocity_params, sorted by key.
	Params []Param
	// QC holds the count distributions present in obs (initial_size*,
	// n_counts).
	QC []Distribution
}

// Param is one entry of uns velocity_params, its value printed.
type Param struct{ Key, Value string }

// qcKeys are the per-cell counts scVelo's filter_and_normalize records.
var qcKeys = []string{"initial_size", "initial_size_spliced", "initial_size_unspliced", "n_counts"}

// Summarize collects the Summary of a.
func Summarize(a *anndata.AnnData) Summary {
	s := Summary{Cells: a.NObs(), Genes: a.NVars(), VelocityGenes: -1, HighlyVariable: -1}
	s.Layers = anndata.SortedKeys(a.Layers)
	if p, ok := a.Uns["velocity_params"].(map[string]any); ok {
		s.Mode, _ = p["mode"].(string)
		for _, k := range anndata.SortedKeys(p) {
			s.Params = append(s.Params, Param{Key: k, Value: formatValue(p[k])})
		}
	}
	s.VelocityGenes = countVar(a, "velocity_genes")
	s.HighlyVariable = countVar(a, "highly_variable")
	for _, k := range qcKeys {
		if !a.Obs.Has(k) {
			continue
		}
		v, err := a.Obs.Float64(k)
		if err != nil || len(v) == 0 {
			continue
		}
		s.QC = append(s.QC, distribution(k, v))
	}
	return s
}

// countVar counts the true entries of a boolean var column, −1 when absent.
func countVar(a *anndata.AnnData, name string) int {
	b, err := a.Var.Bool(name)
	if err != nil {
		return -1
	}
	n := 0
	for _, x := range b {
		if x {
			n++
		}
	}
	return n
}

// distribution summarises the finite values of v.
func distribution(key string, v []float64) Distribution {
	x := make([]float64, 0, len(v))
	for _, f := range v {
		if !math.IsNaN(f) && !math.IsInf(f, 0) {
			x = append(x, f)
		}
	}
	d := Distribution{Key: key, Median: nan(), Min: nan(), Max: nan()}
	if len(x) == 0 {
		return d
	}
	slices.Sort(x)
	n := len(x)
	d.Min, d.Max = x[0], x[n-1]
	if n%2 == 1 {
		d.Median = x[n/2]
	} else {
		d.Median = (x[n/2-1] + x[n/2]) / 2
	}
	return d
}

// formatValue prints an uns value compactly.
func formatValue(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case float64:
		return fmt.Sprintf("%g", x)
	case []float64:
		return list(x)
	case []int64:
		return list(x)
	case []bool:
		return list(x)
	case []string:
		return list(x)
	case map[string]any:
		return fmt.Sprintf("{%d entries}", len(x))
	default:
		return fmt.Sprint(x)
	}
}

// list prints a slice as "[a, b, c]".
func list[T any](x []T) string {
	parts := make([]string, len(x))
	for k, v := range x {
		parts[k] = fmt.Sprint(v)
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

func nan() float64 { return math.NaN() }
