package velocity

import (
	"fmt"
	"math"
)

// GLSFit is one gene's result of the stochastic model's generalized least
// squares.
type GLSFit struct {
	// Gamma, Offset and Offset2 are the fitted parameters; the offsets are 0
	// unless requested. All are 0 when the design is undefined (a residual
	// standard deviation of 0, scVelo's NaN → 0).
	Gamma, Offset, Offset2 float64
	// GammaSE is the standard error of γ from σ̂²·(AᵀA)⁺ of the weighted
	// stacked system, σ̂² = Σ weighted residual² / DoF. NaN when the design is
	// undefined, the normal matrix is rank deficient, or DoF < 1.
	GammaSE float64
	// OffsetSE is the standard error of Offset from the same covariance; NaN
	// without fitOffset or when GammaSE is NaN.
	OffsetSE float64
	// Rows counts the rows of the stacked system that are not entirely zero
	// (design and response); DoF = Rows − number of parameters.
	Rows, DoF int
}

// FitGeneralized solves scVelo's stochastic-model regression for one gene
// (leastsq_generalized): the 2n-row system
//
//	rows 1..n:   [1/σ₁ if fitOffset, 0 if fitOffset2,  w·x/σ₁]  →  w·y/σ₁
//	rows n+1..2n:[0 if fitOffset, 1/σ₂ if fitOffset2,  x2/σ₂ ]  →  y2/σ₂
//
// with x = Ms, y = Mu, x2 = 2·Mss − Ms, y2 = 2·Mus + Mu, w the first-moment
// cell weights (0/1), σ₁ = resStd and σ₂ = res2Std, solved through the
// pseudo-inverse of the normal matrix (numpy.linalg.pinv). The intercept
// column of the first block is 1/σ₁ on every cell, weighted or not, as in
// scVelo. Without offsets this is
//
//	γ = (Σ_w xy/σ₁² + Σ x2·y2/σ₂²) / (Σ_w x²/σ₁² + Σ x2²/σ₂²).
//
// scVelo mixes float32 and float64 here; velo works in float64 throughout.
func FitGeneralized(x, y, x2, y2 []float32, w []bool, resStd, res2Std float64, fitOffset, fitOffset2 bool) GLSFit {
	n := len(x)
	if len(y) != n || len(x2) != n || len(y2) != n || len(w) != n {
		panic(fmt.Sprintf("velocity: FitGeneralized with %d, %d, %d, %d values and %d weights", n, len(y), len(x2), len(y2), len(w)))
	}
	m := glsModel{r1: resStd, r2: res2Std, fitOffset: fitOffset, fitOffset2: fitOffset2}
	return fitGeneralized(x, y, x2, y2, w, m, &glsRows{})
}

// fitGeneralized is FitGeneralized for the model m, with rows as scratch.
func fitGeneralized(x, y, x2, y2 []float32, w []bool, m glsModel, rows *glsRows) GLSFit {
	if !m.defined() {
		return GLSFit{GammaSE: math.NaN(), OffsetSE: math.NaN()}
	}
	n := len(x)
	rows.fill(m, x, y, x2, y2, w)
	a1s, t1s, a2s, t2s := rows.a1[:n], rows.t1[:n], rows.a2[:n], rows.t2[:n]
	var s glsSums
	for i := range a1s {
		s.add(a1s[i], t1s[i], a2s[i], t2s[i])
	}
	theta, inv, deficient := m.solve(&s)
	f := GLSFit{GammaSE: math.NaN(), OffsetSE: math.NaN()}
	f.Offset, f.Offset2, f.Gamma = m.unpack(theta)

	var rss float64
	o1, o2 := f.Offset/m.r1, f.Offset2/m.r2
	for i := range a1s {
		a1, t1, a2, t2 := a1s[i], t1s[i], a2s[i], t2s[i]
		if m.fitOffset || a1 != 0 || t1 != 0 {
			f.Rows++
			r := t1 - o1 - f.Gamma*a1
			rss += r * r
		}
		if m.fitOffset2 || a2 != 0 || t2 != 0 {
			f.Rows++
			r := t2 - o2 - f.Gamma*a2
			rss += r * r
		}
	}
	f.DoF = f.Rows - m.params()
	if f.DoF > 0 && !deficient {
		s2 := rss / float64(f.DoF)
		g := m.params() - 1
		f.GammaSE = math.Sqrt(s2 * inv[g][g])
		if m.fitOffset {
			f.OffsetSE = math.Sqrt(s2 * inv[0][0])
		}
	}
	return f
}

// glsModel is the shape of one gene's stacked system: the two residual
// standard deviations that weight its blocks and which intercepts it has.
type glsModel struct {
	r1, r2                float64
	fitOffset, fitOffset2 bool
}

// defined reports whether the weights are finite and positive. scVelo
// divides by them; a zero puts inf/NaN into the design and the NaN → 0 rule
// then zeroes every parameter.
func (m glsModel) defined() bool {
	ok := func(v float64) bool { return v > 0 && !math.IsInf(v, 1) }
	return ok(m.r1) && ok(m.r2)
}

func (m glsModel) params() int {
	p := 1
	if m.fitOffset {
		p++
	}
	if m.fitOffset2 {
		p++
	}
	return p
}

// glsRows are every cell's weighted slope-column entries (a1, a2) and
// responses (t1, t2) of both blocks of the stacked system.
type glsRows struct {
	a1, t1, a2, t2 []float64
}

// fill computes the rows of model m: a1 = w·x/σ₁, t1 = w·y/σ₁, a2 = x2/σ₂,
// t2 = y2/σ₂. The divisions are vectorised but, being correctly rounded,
// give the scalar quotients.
func (r *glsRows) fill(m glsModel, x, y, x2, y2 []float32, w []bool) {
	n := len(x)
	r.a1, r.t1, r.a2, r.t2 = grow(r.a1, n), grow(r.t1, n), grow(r.a2, n), grow(r.t2, n)
	divide(r.a1, x, m.r1)
	divide(r.t1, y, m.r1)
	divide(r.a2, x2, m.r2)
	divide(r.t2, y2, m.r2)
	for i, in := range w[:n] {
		if !in {
			r.a1[i], r.t1[i] = 0, 0
		}
	}
}

// glsSums are the per-cell sums the normal equations are built from.
type glsSums struct {
	n                  float64
	a1, t1, a1a1, a1t1 float64
	a2, t2, a2a2, a2t2 float64
}

func (s *glsSums) add(a1, t1, a2, t2 float64) {
	s.n++
	s.a1 += a1
	s.t1 += t1
	s.a1a1 += a1 * a1
	s.a1t1 += a1 * t1
	s.a2 += a2
	s.t2 += t2
	s.a2a2 += a2 * a2
	s.a2t2 += a2 * t2
}

// solve builds the normal equations AᵀA θ = Aᵀb from the sums (parameter
// order: offset, offset2, γ, keeping those present) and returns
// θ = (AᵀA)⁺Aᵀb, the pseudo-inverse and whether it cut a singular value.
func (m glsModel) solve(s *glsSums) (theta [3]float64, inv [3][3]float64, deficient bool) {
	var a [3][3]float64
	var b [3]float64
	p := m.params()
	g := p - 1
	a[g][g] = s.a1a1 + s.a2a2
	b[g] = s.a1t1 + s.a2t2
	k := 0
	if m.fitOffset {
		a[k][k] = s.n / (m.r1 * m.r1)
		a[k][g], a[g][k] = s.a1/m.r1, s.a1/m.r1
		b[k] = s.t1 / m.r1
		k++
	}
	if m.fitOffset2 {
		a[k][k] = s.n / (m.r2 * m.r2)
		a[k][g], a[g][k] = s.a2/m.r2, s.a2/m.r2
		b[k] = s.t2 / m.r2
	}
	inv, deficient = pinvSym(a, p)
	for i := 0; i < p; i++ {
		for j := 0; j < p; j++ {
			theta[i] += inv[i][j] * b[j]
		}
	}
	return theta, inv, deficient
}

// unpack maps θ back to (offset, offset2, γ) with NaN → 0.
func (m glsModel) unpack(theta [3]float64) (offset, offset2, gamma float64) {
	k := 0
	if m.fitOffset {
		offset = zeroNaN(theta[k])
		k++
	}
	if m.fitOffset2 {
		offset2 = zeroNaN(theta[k])
		k++
	}
	return offset, offset2, zeroNaN(theta[k])
}
