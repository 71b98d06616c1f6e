package velo

import (
	"fmt"
	"math"
	"sort"

	"github.com/velo-rna/velo/anndata"
)

// GammaRecovery compares the fitted γ with the simulated truth over the
// velocity genes: it returns their Spearman rank correlation and count.
// Steady-state γ estimates the ratio γ/β up to the normalisation scale, so
// ranks, not values, are the fair comparison.
func GammaRecovery(a *anndata.AnnData) (float64, int, error) {
	fitted, err := a.Var.Float64("velocity_gamma")
	if err != nil {
		return 0, 0, err
	}
	truth, err := a.Var.Float64("true_gamma")
	if err != nil {
		return 0, 0, err
	}
	genes, err := a.Var.Bool("velocity_genes")
	if err != nil {
		genes = make([]bool, len(fitted))
		for i := range genes {
			genes[i] = true
		}
	}
	var x, y []float64
	for i, ok := range genes {
		if ok {
			x = append(x, fitted[i])
			y = append(y, truth[i])
		}
	}
	if len(x) < 3 {
		return 0, len(x), fmt.Errorf("only %d velocity genes: too few to compare with the truth", len(x))
	}
	return pearson(ranks(x), ranks(y)), len(x), nil
}

func ranks(v []float64) []float64 {
	idx := make([]int, len(v))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(p, q int) bool { return v[idx[p]] < v[idx[q]] })
	r := make([]float64, len(v))
	for p := 0; p < len(idx); {
		q := p
		for q+1 < len(idx) && v[idx[q+1]] == v[idx[p]] {
			q++
		}
		for k := p; k <= q; k++ {
			r[idx[k]] = float64(p+q) / 2
		}
		p = q + 1
	}
	return r
}

func pearson(x, y []float64) float64 {
	var mx, my float64
	for i := range x {
		mx += x[i]
		my += y[i]
	}
	mx /= float64(len(x))
	my /= float64(len(y))
	var sxy, sxx, syy float64
	for i := range x {
		sxy += (x[i] - mx) * (y[i] - my)
		sxx += (x[i] - mx) * (x[i] - mx)
		syy += (y[i] - my) * (y[i] - my)
	}
	return sxy / (math.Sqrt(sxx * syy))
}
