package preprocess

import (
	"context"
	"fmt"
	"math"
	"sort"

	"github.com/velo-rna/velo/anndata"
	"github.com/velo-rna/velo/array"
)

// FilterGenesDispersionOptions are scVelo's pp.filter_genes_dispersion
// parameters.
type FilterGenesDispersionOptions struct {
	// Flavor is "seurat" (default, also "") or "cell_ranger".
	Flavor string
	// Cut-offs used when NTopGenes is 0; nil means scVelo's defaults
	// min_disp 0.5, max_disp +Inf, min_mean 0.0125, max_mean 3.
	MinDisp, MaxDisp, MinMean, MaxMean *float64
	// NBins is the number of mean bins for flavor seurat; 0 means 20.
	NBins int
	// NTopGenes keeps the genes with the NTopGenes largest normalised
	// dispersions (ties at the cut-off are all kept); 0 means None.
	NTopGenes int
	// RetainGenes are kept whatever their dispersion.
	RetainGenes []string
	// NoLog compares raw instead of log dispersions and means (scVelo
	// log=False; default True).
	NoLog bool
	// NoSubset only annotates var highly_variable instead of removing the
	// other genes (scVelo subset=False; default True).
	NoSubset bool
	Logf     Logf
}

// FilterGenesDispersion selects highly variable genes from the normalised,
// not yet logarithmised X (spec A4). Per gene it computes the mean and the
// dispersion var/mean, takes logs (log1p of the mean), normalises the
// dispersion within bins of mean expression (seurat: 20 equal-width bins;
// cell_ranger: percentile bins with median/MAD), and keeps the NTopGenes
// largest normalised dispersions or the genes within the cut-offs. It writes
// var means, dispersions, dispersions_norm and highly_variable, then keeps
// only the selected genes. When NTopGenes exceeds the number of genes it
// does nothing at all, as scVelo.
//
// Means and variances follow scVelo's float32 sums (sequential over cells),
// bin statistics pandas 1.5 (float32 Kahan mean, float64 Welford std), so
// the selection, ties included, matches scVelo's.
func FilterGenesDispersion(ctx context.Context, a *anndata.AnnData, opts FilterGenesDispersionOptions) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := checkShape(a); err != nil {
		return fmt.Errorf("filter genes by dispersion: %w", err)
	}
	if err := checkCountMatrices(a, "X", "spliced", "unspliced"); err != nil {
		return fmt.Errorf("filter genes by dispersion: %w", err)
	}
	if a.X == nil {
		return fmt.Errorf("filter genes by dispersion: X is missing")
	}
	return filterGenesDispersion(a, opts)
}

func filterGenesDispersion(a *anndata.AnnData, opts FilterGenesDispersionOptions) error {
	setInitialSize(a, []string{"unspliced", "spliced"})
	flavor := opts.Flavor
	if flavor == "" {
		flavor = "seurat"
	}
	if flavor != "seurat" && flavor != "cell_ranger" {
		return fmt.Errorf("filter genes by dispersion: flavor %q is not \"seurat\" or \"cell_ranger\"", flavor)
	}
	if opts.NTopGenes < 0 {
		return fmt.Errorf("filter genes by dispersion: n_top_genes %d is negative", opts.NTopGenes)
	}
	mean, variance := meanVar32(a.X)
	if opts.NTopGenes > 0 && a.NVars() < opts.NTopGenes {
		opts.Logf.printf("Skip filtering by dispersion since number of variables are less than `n_top_genes`.")
		return nil
	}
	nBins := opts.NBins
	if nBins == 0 {
		nBins = 20
	}
	if nBins < 1 {
		return fmt.Errorf("filter genes by dispersion: %d bins", nBins)
	}
	disp := make([]float32, len(mean))
	for g := range mean {
		if mean[g] == 0 {
			mean[g] = 1e-12
		}
		disp[g] = variance[g] / mean[g]
		if !opts.NoLog {
			if disp[g] == 0 {
				disp[g] = float32(math.NaN())
			}
			disp[g] = float32(math.Log(float64(disp[g])))
			mean[g] = float32(math.Log1p(float64(mean[g])))
		}
	}
	var norm []float64
	if flavor == "seurat" {
		norm = seuratNorm(mean, disp, nBins)
	} else {
		var err error
		if norm, err = cellRangerNorm(mean, disp); err != nil {
			return fmt.Errorf("filter genes by dispersion: %w", err)
		}
	}
	hv := make([]bool, len(norm))
	if opts.NTopGenes > 0 {
		sorted := append([]float64(nil), norm...)
		sort.Sort(sort.Reverse(sort.Float64Slice(sorted)))
		cut := sorted[opts.NTopGenes-1]
		for g, v := range norm {
			hv[g] = v >= cut
		}
	} else {
		minDisp, maxDisp := orDefault(opts.MinDisp, 0.5), orDefault(opts.MaxDisp, math.Inf(1))
		minMean, maxMean := orDefault(opts.MinMean, 0.0125), orDefault(opts.MaxMean, 3)
		for g := range hv {
			m := float64(mean[g])
			hv[g] = m > minMean && m < maxMean && norm[g] > minDisp && norm[g] < maxDisp
		}
	}
	a.Var.Set("means", mean)
	a.Var.Set("dispersions", disp)
	a.Var.Set("dispersions_norm", norm)
	a.Var.Set("highly_variable", hv)
	keep := append([]bool(nil), hv...)
	if !opts.NoSubset {
		retain(keep, a.Var.Index, opts.RetainGenes)
	}
	var idx []int
	for g, k := range keep {
		if k {
			idx = append(idx, g)
		}
	}
	if !opts.NoSubset {
		if len(idx) == 0 {
			return fmt.Errorf("filter genes by dispersion: no genes left after filtering")
		}
		a.SubsetVars(idx)
	}
	opts.Logf.printf("Extracted %d highly variable genes.", len(idx))
	return nil
}

func orDefault(p *float64, def float64) float64 {
	if p == nil {
		return def
	}
	return *p
}

// meanVar32 is scVelo's get_mean_var on a float32 matrix: per gene the
// float32 sums of x and x² accumulated over cells in order (as scipy sums
// a CSR matrix), mean = Σx/n, var = (Σx²/n − mean²)·n/(n−1), all float32;
// NaN results become 0.
func meanVar32(m array.Matrix) (mean, variance []float32) {
	rows, cols := m.Shape()
	sum := make([]float32, cols)
	sumSq := make([]float32, cols)
	forEachRow(m, func(_ int, idx []int32, val []float32) {
		for k, v := range val {
			j := col(idx, k)
			sum[j] += v
			sumSq[j] += float32(v * v)
		}
	})
	n := float32(rows)
	corr := float32(float64(max(rows, 2)) / float64(max(rows, 2)-1))
	mean = make([]float32, cols)
	variance = make([]float32, cols)
	for j := range mean {
		mu := sum[j] / n
		sq := sumSq[j] / n
		v := float32(sq-float32(mu*mu)) * corr
		if math.IsNaN(float64(mu)) {
			mu = 0
		}
		if math.IsNaN(float64(v)) {
			v = 0
		}
		mean[j], variance[j] = mu, v
	}
	return mean, variance
}

// cutEdges returns pandas.cut's edges for nBins equal-width bins of x:
// numpy.linspace(min, max, nBins+1) with the first edge lowered by 0.1 % of
// the range (or, for a constant x, the range widened by 0.1 % each side).
func cutEdges(x []float32, nBins int) []float64 {
	mn, mx := math.Inf(1), math.Inf(-1)
	for _, v := range x {
		mn = math.Min(mn, float64(v))
		mx = math.Max(mx, float64(v))
	}
	constant := mn == mx
	if constant {
		if mn != 0 {
			mn -= 0.001 * math.Abs(mn)
		} else {
			mn -= 0.001
		}
		if mx != 0 {
			mx += 0.001 * math.Abs(mx)
		} else {
			mx += 0.001
		}
	}
	edges := make([]float64, nBins+1)
	step := (mx - mn) / float64(nBins)
	for i := range edges {
		edges[i] = float64(float64(i)*step) + mn
	}
	edges[nBins] = mx
	if !constant {
		edges[0] -= (mx - mn) * 0.001
	}
	return edges
}

// binOf returns the right-closed bin (e[b], e[b+1]] holding v, or −1.
func binOf(edges []float64, v float32) int {
	x := float64(v)
	if math.IsNaN(x) {
		return -1
	}
	k := sort.SearchFloat64s(edges, x) // first edge ≥ x
	if k == 0 || k == len(edges) {
		return -1
	}
	return k - 1
}

// seuratNorm normalises dispersions within equal-width bins of the mean:
// (disp − bin mean)/bin std, with pandas' float32 group mean and float64
// group std; a bin whose std is undefined (one gene, or no finite
// dispersion) gets mean 0 and std = its mean, and NaN results become 0.
func seuratNorm(mean, disp []float32, nBins int) []float64 {
	edges := cutEdges(mean, nBins)
	bin := make([]int, len(mean))
	for g, m := range mean {
		bin[g] = binOf(edges, m)
	}
	// pandas group_mean: float32 Kahan summation in gene order.
	sum := make([]float32, nBins)
	comp := make([]float32, nBins)
	count := make([]int, nBins)
	// pandas group_var: float64 Welford updates in gene order.
	wMean := make([]float64, nBins)
	wSS := make([]float64, nBins)
	for g, d := range disp {
		b := bin[g]
		if b < 0 || math.IsNaN(float64(d)) {
			continue
		}
		count[b]++
		y := d - comp[b]
		t := sum[b] + y
		comp[b] = float32(t-sum[b]) - y
		sum[b] = t
		x := float64(d)
		old := wMean[b]
		wMean[b] += (x - old) / float64(count[b])
		wSS[b] += (x - wMean[b]) * (x - old)
	}
	binMean := make([]float32, nBins)
	binStd := make([]float64, nBins)
	for b := range binMean {
		if count[b] == 0 {
			binMean[b] = float32(math.NaN())
		} else {
			binMean[b] = sum[b] / float32(count[b])
		}
		if count[b] > 1 {
			binStd[b] = math.Sqrt(wSS[b] / float64(count[b]-1))
		} else {
			binStd[b] = math.NaN()
		}
		if math.IsNaN(binStd[b]) {
			binStd[b] = float64(binMean[b])
			binMean[b] = 0
		}
	}
	norm := make([]float64, len(disp))
	for g, d := range disp {
		b := bin[g]
		v := math.NaN()
		if b >= 0 {
			v = float64(d-binMean[b]) / binStd[b]
		}
		if math.IsNaN(v) {
			v = 0
		}
		norm[g] = v
	}
	return norm
}

// cellRangerNorm normalises dispersions within bins cut at the 10th, 15th,
// …, 100th percentiles of the mean: |disp − bin median| / bin MAD, with
// MAD = median(|disp − median|)/Φ⁻¹(3/4) (statsmodels' robust.mad); a bin
// holding a NaN dispersion has an undefined MAD, and NaN results become 0.
// Repeated percentiles are an error, as pandas.cut refuses duplicate edges.
func cellRangerNorm(mean, disp []float32) ([]float64, error) {
	sorted := make([]float64, len(mean))
	for g, m := range mean {
		sorted[g] = float64(m)
	}
	sort.Float64s(sorted)
	edges := []float64{math.Inf(-1)}
	for q := 10; q <= 100; q += 5 {
		edges = append(edges, percentile(sorted, float64(q)))
	}
	edges = append(edges, math.Inf(1))
	for k := 1; k < len(edges); k++ {
		if edges[k] == edges[k-1] {
			return nil, fmt.Errorf("cell_ranger bins: repeated mean percentile %v (too many genes share a mean)", edges[k])
		}
	}
	groups := make([][]float64, len(edges)-1)
	bin := make([]int, len(mean))
	hasNaN := make([]bool, len(groups))
	for g, m := range mean {
		bin[g] = binOf(edges, m)
		if b := bin[g]; b >= 0 {
			if d := float64(disp[g]); math.IsNaN(d) {
				hasNaN[b] = true
			} else {
				groups[b] = append(groups[b], d)
			}
		}
	}
	const gaussQ3 = 0.6744897501960817 // Φ⁻¹(3/4)
	med := make([]float64, len(groups))
	mad := make([]float64, len(groups))
	for b, vals := range groups {
		med[b], mad[b] = math.NaN(), math.NaN()
		if len(vals) == 0 {
			continue
		}
		med[b] = medianOf(vals)
		if hasNaN[b] {
			continue
		}
		dev := make([]float64, len(vals))
		for k, v := range vals {
			dev[k] = math.Abs(v-med[b]) / gaussQ3
		}
		mad[b] = medianOf(dev)
	}
	norm := make([]float64, len(disp))
	for g, d := range disp {
		v := math.NaN()
		if b := bin[g]; b >= 0 {
			v = math.Abs(float64(d)-med[b]) / mad[b]
		}
		if math.IsNaN(v) {
			v = 0
		}
		norm[g] = v
	}
	return norm, nil
}

// percentile is numpy's default (linear) percentile of sorted values.
func percentile(sorted []float64, q float64) float64 {
	pos := float64(len(sorted)-1) * q / 100
	lo := int(math.Floor(pos))
	hi := min(lo+1, len(sorted)-1)
	return sorted[lo] + (sorted[hi]-sorted[lo])*(pos-float64(lo))
}

func medianOf(v []float64) float64 {
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	return percentile(s, 50)
}
