package report

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/velo-rna/velo/anndata"
	"github.com/velo-rna/velo/array"
	"github.com/velo-rna/velo/plot"
	"github.com/velo-rna/velo/velocity"
)

// fitPerc is the percentile pair scVelo's steady-state fit trims the cells
// with (velocity(perc=[5, 95]), its default).
var fitPerc = [2]float64{5, 95}

// GeneStat is the steady-state fit of one gene as stored in var.
type GeneStat struct {
	Gene string
	// Gamma is the fitted degradation/splicing ratio γ (var velocity_gamma)
	// and Offset the intercept (var velocity_offset, 0 when absent).
	Gamma, Offset float64
	// SE, CILow and CIHigh are γ's standard error and interval
	// (var velocity_gamma_se, _ci_low, _ci_high); NaN when absent.
	SE, CILow, CIHigh float64
	// R2 is the fit's coefficient of determination (var velocity_r2, NaN
	// when absent).
	R2 float64
	// VelocityGene reports var velocity_genes (true when absent).
	VelocityGene bool
}

// geneIndex maps gene names to their var positions and names the genes
// that are not there.
func geneIndex(a *anndata.AnnData, genes []string) ([]int, error) {
	pos := make(map[string]int, len(a.Var.Index))
	for j, g := range a.Var.Index {
		pos[g] = j
	}
	idx := make([]int, len(genes))
	var missing []string
	for k, g := range genes {
		j, ok := pos[g]
		if !ok {
			missing = append(missing, g)
		}
		idx[k] = j
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("gene(s) not found in var: %s", strings.Join(missing, ", "))
	}
	return idx, nil
}

// varColumn returns a numeric var column, or one filled with def when the
// column is absent (scVelo drops constant parameter columns).
func varColumn(a *anndata.AnnData, name string, def float64) ([]float64, error) {
	if !a.Var.Has(name) {
		out := make([]float64, a.NVars())
		for k := range out {
			out[k] = def
		}
		return out, nil
	}
	c, err := a.Var.Float64(name)
	if err != nil {
		return nil, fmt.Errorf("var %s: %w", name, err)
	}
	return c, nil
}

// GeneStats returns the stored fit of each of genes.
func GeneStats(a *anndata.AnnData, genes []string) ([]GeneStat, error) {
	idx, err := geneIndex(a, genes)
	if err != nil {
		return nil, err
	}
	if !a.Var.Has("velocity_gamma") {
		return nil, fmt.Errorf("run velo run first: var velocity_gamma is missing")
	}
	cols := map[string][]float64{}
	for _, c := range []struct {
		name string
		def  float64
	}{
		{"velocity_gamma", 0}, {"velocity_offset", 0}, {"velocity_gamma_se", math.NaN()},
		{"velocity_gamma_ci_low", math.NaN()}, {"velocity_gamma_ci_high", math.NaN()},
		{"velocity_r2", math.NaN()}, {"velocity_genes", 1},
	} {
		if cols[c.name], err = varColumn(a, c.name, c.def); err != nil {
			return nil, err
		}
	}
	out := make([]GeneStat, len(genes))
	for k, j := range idx {
		out[k] = GeneStat{
			Gene:         genes[k],
			Gamma:        cols["velocity_gamma"][j],
			Offset:       cols["velocity_offset"][j],
			SE:           cols["velocity_gamma_se"][j],
			CILow:        cols["velocity_gamma_ci_low"][j],
			CIHigh:       cols["velocity_gamma_ci_high"][j],
			R2:           cols["velocity_r2"][j],
			VelocityGene: cols["velocity_genes"][j] != 0,
		}
	}
	return out, nil
}

// TopVelocityGenes returns up to n velocity genes (var velocity_genes) with
// the highest fit r² (var velocity_r2), best first; ties keep var order.
func TopVelocityGenes(a *anndata.AnnData, n int) ([]string, error) {
	if !a.Var.Has("velocity_r2") {
		return nil, fmt.Errorf("run velo run first: var velocity_r2 is missing")
	}
	r2, err := a.Var.Float64("velocity_r2")
	if err != nil {
		return nil, fmt.Errorf("var velocity_r2: %w", err)
	}
	keep, err := varColumn(a, "velocity_genes", 1)
	if err != nil {
		return nil, err
	}
	var cand []int
	for j := range r2 {
		if keep[j] != 0 && !math.IsNaN(r2[j]) {
			cand = append(cand, j)
		}
	}
	slices.SortStableFunc(cand, func(x, y int) int { return cmp.Compare(r2[y], r2[x]) })
	if len(cand) > n {
		cand = cand[:n]
	}
	out := make([]string, len(cand))
	for k, j := range cand {
		out[k] = a.Var.Index[j]
	}
	return out, nil
}

// fitOffset reads uns velocity_params["fit_offset"]; false when absent, as
// scVelo's default.
func fitOffset(a *anndata.AnnData) bool {
	p, _ := a.Uns["velocity_params"].(map[string]any)
	b, _ := p["fit_offset"].(bool)
	return b
}

// PhasePanels builds the phase portrait of each of genes from layers Ms and
// Mu and the stored fit, marking the cells scVelo's fit uses.
func PhasePanels(a *anndata.AnnData, genes []string) ([]plot.PhasePanel, error) {
	stats, err := GeneStats(a, genes)
	if err != nil {
		return nil, err
	}
	idx, _ := geneIndex(a, genes)
	ms, err := a.Layer("Ms")
	if err != nil {
		return nil, fmt.Errorf("run velo run first: %w", err)
	}
	mu, err := a.Layer("Mu")
	if err != nil {
		return nil, fmt.Errorf("run velo run first: %w", err)
	}
	s, u := array.AsDense(ms), array.AsDense(mu)
	off := fitOffset(a)
	panels := make([]plot.PhasePanel, len(genes))
	for k, j := range idx {
		sj, uj := s.Col(nil, j), u.Col(nil, j)
		st := stats[k]
		panels[k] = plot.PhasePanel{
			Gene: st.Gene, S: sj, U: uj,
			Gamma: st.Gamma, Offset: st.Offset,
			CILow: st.CILow, CIHigh: st.CIHigh,
			Fitted: velocity.FitCells(sj, uj, off, fitPerc),
		}
	}
	return panels, nil
}
