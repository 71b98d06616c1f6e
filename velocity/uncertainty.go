package velocity

import (
	"math"

	"gonum.org/v1/gonum/stat/distuv"
)

// ciLevel is the coverage of the γ interval velo stores (velocity_gamma_ci_low
// and _high, uns velocity_params["gamma_ci"]).
const ciLevel = 0.95

// GammaFit is one gene's steady-state fit with its least-squares
// uncertainty, assuming the model's own error structure: independent,
// equal-variance Gaussian residuals on the fitted cells.
type GammaFit struct {
	Gamma, Offset float64
	// Origin reports a slope through the origin: no offset was requested, or
	// the offset came out negative and the origin refit replaced it.
	Origin bool
	// N is the number of fitted cells, DoF the residual degrees of freedom
	// (N−1 through the origin, N−2 with an offset).
	N, DoF int
	// GammaSE and OffsetSE are the standard errors; NaN when the fit is
	// degenerate (DoF < 1, or no spread in x). OffsetSE is NaN when no offset
	// was estimated.
	GammaSE, OffsetSE float64
	// Low and High bound the interval γ ± t·SE, t the Student t quantile of
	// the requested level with DoF degrees of freedom; NaN when SE is.
	Low, High float64
}

// FitGammaCI fits γ on the selected cells exactly as FitGamma does (in
// float64, without rounding to float32) and returns its standard error and
// the two-sided confidence interval at the given level (e.g. 0.95).
func FitGammaCI(x, y []float32, sel []bool, fitOffset bool, level float64) GammaFit {
	checkLens(x, y, sel)
	f := fitLine(x, y, sel, fitOffset)
	lo, hi := interval(f.gamma, f.gammaSE, studentT(f.dof, level))
	return GammaFit{
		Gamma: f.gamma, Offset: f.offset, Origin: f.origin, N: f.n, DoF: f.dof,
		GammaSE: f.gammaSE, OffsetSE: f.offsetSE, Low: lo, High: hi,
	}
}

// studentT returns the two-sided Student t critical value of the level with
// dof degrees of freedom, NaN when dof < 1.
func studentT(dof int, level float64) float64 {
	if dof < 1 {
		return math.NaN()
	}
	return distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(dof)}.Quantile(0.5 + level/2)
}

// interval returns est ± t·se (NaN when se or t is).
func interval(est, se, t float64) (lo, hi float64) {
	if math.IsNaN(se) || math.IsNaN(t) {
		return math.NaN(), math.NaN()
	}
	return est - t*se, est + t*se
}

// tCache memoises studentT for one level: genes share few distinct degrees
// of freedom and the quantile costs an inverse incomplete beta function.
type tCache struct {
	level float64
	m     map[int]float64
}

func newTCache(level float64) *tCache { return &tCache{level: level, m: map[int]float64{}} }

func (c *tCache) get(dof int) float64 {
	t, ok := c.m[dof]
	if !ok {
		t = studentT(dof, c.level)
		c.m[dof] = t
	}
	return t
}
