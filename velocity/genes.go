package velocity

import (
	"fmt"
	"math"
)

// velocityGenesPct is the percentile of r² above which genes count as
// velocity genes when the regular rule keeps fewer than two (scVelo's
// Velocity.compute_deterministic fallback).
const velocityGenesPct = 80

// R2 returns scVelo's coefficient of determination of one gene as
// tl.velocity computes it (r2_adjusted=None): 1 − Σ residual² / Σ (y − ȳ)²
// over all cells, with the residual of the quantile fit (the velocity) and ȳ
// the mean of y over all cells. It can be negative.
//
// The arithmetic is scVelo's, bit for bit: ȳ, both sums of squares and
// their ratio in float32, summed in cell order (numpy's reductions along the
// cell axis), the ratio subtracted from 1 in float64. float32 sums over
// thousands of cells are off by up to ~1e-4 relative, and r² of a poorly fit
// gene (r² ≈ −7) then moves by ~3e-4; reproducing them keeps r² and the
// velocity-gene threshold identical to scVelo's.
//
// A zero total sum of squares (constant y) gives 0, as the spec's edge-case
// table states for scVelo's NaN → 0 rule. (numpy gives 0/0 → NaN → 0 when the
// residuals vanish too, and −inf otherwise; both fail the r² > min_r2 test.)
func R2(y, residual []float32) float64 {
	if len(y) != len(residual) {
		panic(fmt.Sprintf("velocity: R2 with %d values and %d residuals", len(y), len(residual)))
	}
	if len(y) == 0 {
		return 0
	}
	var sum float32
	for _, v := range y {
		sum += v
	}
	mean := sum / float32(len(y))
	var res, tot float32
	for i, v := range y {
		d := v - mean
		tot += float32(d * d)
		res += float32(residual[i] * residual[i])
	}
	if tot == 0 {
		return 0
	}
	return zeroNaN(1 - float64(res/tot))
}

// VelocityGenes applies scVelo's velocity-gene rule (tl.velocity,
// A10.6): gene g qualifies when r2 > minR2, γ > minRatio, expressed[g] (some
// cell has Ms > 0 and some cell has Mu > 0) and, when highlyVariable is not
// nil, highlyVariable[g] — scVelo applies that column whenever it exists.
//
// When fewer than two genes qualify, scVelo falls back to r2 > pct₈₀(r2)
// with no other condition (the result may still be empty); fallback then
// reports true and threshold the percentile used.
func VelocityGenes(r2, gamma []float64, expressed, highlyVariable []bool, minR2, minRatio float64) (genes []bool, fallback bool, threshold float64) {
	g := len(r2)
	if len(gamma) != g || len(expressed) != g || (highlyVariable != nil && len(highlyVariable) != g) {
		panic("velocity: VelocityGenes inputs differ in length")
	}
	genes = make([]bool, g)
	count := 0
	for i := range genes {
		genes[i] = r2[i] > minR2 && gamma[i] > minRatio && expressed[i] &&
			(highlyVariable == nil || highlyVariable[i])
		if genes[i] {
			count++
		}
	}
	if count >= 2 || g == 0 {
		return genes, false, math.NaN()
	}
	threshold = percentile(r2, make([]float64, g), velocityGenesPct)
	for i, v := range r2 {
		genes[i] = v > threshold
	}
	return genes, true, threshold
}

// chooseGenes applies the velocity-gene rule and logs scVelo's warnings.
// It reads the deterministic γ (qreg): scVelo chooses the genes before the
// stochastic refit replaces γ.
func chooseGenes(fits []geneFit, hv []bool, o Options) []bool {
	r2 := make([]float64, len(fits))
	gamma := make([]float64, len(fits))
	expressed := make([]bool, len(fits))
	for g, f := range fits {
		r2[g], gamma[g], expressed[g] = f.r2, f.qreg, f.expressed
	}
	genes, fellBack, thr := VelocityGenes(r2, gamma, expressed, hv, o.MinR2, o.MinRatio)
	if fellBack {
		o.Logf("velocity: very low signal in splicing dynamics; the r² threshold was reduced to %.4f", thr)
	}
	return genes
}
