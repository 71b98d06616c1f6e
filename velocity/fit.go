package velocity

import (
	"fmt"
	"math"
)

// FitGamma fits a gene's steady-state ratio on the selected cells the way
// scVelo's LinearRegression does.
//
// Without an offset it is the slope through the origin, γ = Σxy / Σx². With
// fitOffset it is the ordinary least-squares line, γ = Σ(x−x̄)(y−ȳ) / Σ(x−x̄)²
// and offset = ȳ − γx̄, except that a negative offset is replaced by the
// origin slope on the same cells and an offset of 0 (scVelo's
// positive_intercept; there is no joint constrained refit). NaN results
// (no cells, or Σx² = 0) become 0.
//
// The origin slope reproduces scVelo's float32 arithmetic bit for bit: the
// products x·y and x² are rounded to float32 and summed in float32 in cell
// order (scipy's sparse column sum), then divided in float32. Exactness
// matters here because γ feeds the velocity layer, r² and the velocity-gene
// thresholds that every later step reads; the float32 sums are within about
// 1e-6 relative of exact sums for a few hundred fitted cells. The offset form
// is computed in float64 with centred sums, where scVelo uses float32 sums in
// Σxy/n − x̄ȳ, whose cancellation costs it about 1e-5 relative.
func FitGamma(x, y []float32, sel []bool, fitOffset bool) (gamma, offset float32) {
	checkLens(x, y, sel)
	f := fitLine(x, y, sel, fitOffset)
	return float32(f.gamma), float32(f.offset)
}

// lineFit is one gene's fitted line with the quantities its standard errors
// need.
type lineFit struct {
	gamma, offset float64
	origin        bool // slope through the origin (no offset requested, or the negative-intercept refit)
	n             int  // fitted cells
	dof           int  // residual degrees of freedom of the model actually fitted
	gammaSE       float64
	offsetSE      float64
}

// lineParams fits the line of FitGamma. It also returns the sums the
// standard errors need: the centred Σ(x−x̄)² and x̄ of the offset fit, and
// Σx² (float64) of the origin fit.
func lineParams(x, y []float32, sel []bool, fitOffset bool) (f lineFit, cxx, mx, sxx float64) {
	var n int
	var sx, sy float64
	var sxx32, sxy32 float32 // scVelo's float32 sums, see FitGamma
	for i, s := range sel {
		if !s {
			continue
		}
		xi, yi := float64(x[i]), float64(y[i])
		n++
		sx += xi
		sy += yi
		sxx += xi * xi
		sxx32 += float32(x[i] * x[i])
		sxy32 += float32(x[i] * y[i])
	}
	f = lineFit{n: n, origin: true, gammaSE: math.NaN(), offsetSE: math.NaN()}
	if fitOffset {
		my := sy / float64(n)
		mx = sx / float64(n)
		var cxy float64
		for i, s := range sel {
			if s {
				dx := float64(x[i]) - mx
				cxx += dx * dx
				cxy += dx * (float64(y[i]) - my)
			}
		}
		gamma := cxy / cxx
		offset := my - gamma*mx
		if !(offset < 0) { // a NaN offset is not negative: scVelo keeps the fit and zeroes it
			f.origin = false
			if !math.IsNaN(gamma) { // NaN: no spread in x (or no cells), γ = offset = 0
				f.gamma, f.offset, f.dof = gamma, offset, n-2
			}
			return f, cxx, mx, sxx
		}
	}
	f.gamma = zeroNaN(float64(sxy32 / sxx32))
	f.dof = n - 1
	return f, cxx, mx, sxx
}

// fitLine fits the line of FitGamma and its least-squares standard errors:
// through the origin SE(γ)² = σ̂²/Σx² with σ̂² = Σres²/(n−1); with an offset
// SE(γ)² = σ̂²/Σ(x−x̄)² and SE(offset)² = σ̂²(1/n + x̄²/Σ(x−x̄)²) with
// σ̂² = Σres²/(n−2). Standard errors are NaN when the fit is degenerate (no
// residual degrees of freedom, or no spread in x); the offset's is NaN
// whenever no offset was estimated (origin fit or negative-intercept refit).
func fitLine(x, y []float32, sel []bool, fitOffset bool) lineFit {
	f, cxx, mx, sxx := lineParams(x, y, sel, fitOffset)
	switch {
	case f.dof < 1:
	case f.origin && sxx > 0:
		f.gammaSE = math.Sqrt(rss(x, y, sel, f.gamma, 0) / float64(f.dof) / sxx)
	case !f.origin && cxx > 0:
		s2 := rss(x, y, sel, f.gamma, f.offset) / float64(f.dof)
		f.gammaSE = math.Sqrt(s2 / cxx)
		f.offsetSE = math.Sqrt(s2 * (1/float64(f.n) + mx*mx/cxx))
	}
	return f
}

// rss is the residual sum of squares of the line y = γx + offset over the
// selected cells.
func rss(x, y []float32, sel []bool, gamma, offset float64) float64 {
	var s float64
	for i, in := range sel {
		if in {
			r := float64(y[i]) - gamma*float64(x[i]) - offset
			s += r * r
		}
	}
	return s
}

func zeroNaN(v float64) float64 {
	if math.IsNaN(v) {
		return 0
	}
	return v
}

func checkLens(x, y []float32, sel []bool) {
	if len(x) != len(y) || len(x) != len(sel) {
		panic(fmt.Sprintf("velocity: %d x, %d y and %d selection values", len(x), len(y), len(sel)))
	}
}
