package umap

import (
	"fmt"
	"math"
)

// FitAB returns the parameters a, b of the embedding-space similarity
// 1/(1 + a·d^{2b}) that best fit, in least squares, the curve that is 1 below
// minDist and exp(−(d − minDist)/spread) above it, on 300 evenly spaced
// distances d in [0, 3·spread]. It is umap-learn's find_ab_params (scipy's
// curve_fit, Levenberg–Marquardt from a = b = 1), computed here in float64
// with the same method. For scanpy's defaults (0.5, 1) it gives a ≈ 0.5830,
// b ≈ 1.3342.
//
// FitAB panics when spread is not positive or minDist is negative: Embed
// checks its options before calling it.
func FitAB(minDist, spread float64) (a, b float64) {
	if !(spread > 0) || !(minDist >= 0) || math.IsInf(spread, 0) || math.IsInf(minDist, 0) {
		panic(fmt.Sprintf("umap: FitAB needs spread > 0 and minDist ≥ 0, got %v, %v", spread, minDist))
	}
	const points = 300
	d := make([]float64, points)
	y := make([]float64, points)
	for k := range d {
		// np.linspace(0, 3·spread, 300)
		d[k] = 3 * spread * float64(k) / (points - 1)
		if d[k] < minDist {
			y[k] = 1
		} else {
			y[k] = math.Exp(-(d[k] - minDist) / spread)
		}
	}
	return levenbergMarquardtAB(d, y)
}

// abCost returns Σ (1/(1 + a·d^{2b}) − y)², or +Inf outside a, b > 0 where
// the curve stops being a decreasing similarity.
func abCost(d, y []float64, a, b float64) float64 {
	if !(a > 0) || !(b > 0) {
		return math.Inf(1)
	}
	var s float64
	for k, dk := range d {
		r := 1/(1+a*math.Pow(dk, 2*b)) - y[k]
		s += r * r
	}
	return s
}

// levenbergMarquardtAB minimises abCost from a = b = 1 (curve_fit's p0).
func levenbergMarquardtAB(d, y []float64) (a, b float64) {
	a, b = 1, 1
	cost := abCost(d, y, a, b)
	lambda := 1e-3
	for iter := 0; iter < 1000; iter++ {
		// Normal equations JᵀJ δ = −Jᵀr of the Gauss–Newton step.
		var jaa, jab, jbb, ga, gb float64
		for k, dk := range d {
			if dk == 0 {
				continue // d^{2b} = 0: residual constant, zero gradient
			}
			u := math.Pow(dk, 2*b)
			den := 1 + a*u
			r := 1/den - y[k]
			fa := -u / (den * den)
			fb := fa * a * 2 * math.Log(dk)
			jaa += fa * fa
			jab += fa * fb
			jbb += fb * fb
			ga += fa * r
			gb += fb * r
		}
		improved := false
		for tries := 0; tries < 60; tries++ {
			maa, mbb := jaa*(1+lambda), jbb*(1+lambda)
			det := maa*mbb - jab*jab
			if det == 0 {
				lambda *= 10
				continue
			}
			da := -(mbb*ga - jab*gb) / det
			db := -(maa*gb - jab*ga) / det
			na, nb := a+da, b+db
			nc := abCost(d, y, na, nb)
			if nc < cost {
				converged := cost-nc <= 1e-15*cost || math.Abs(da)+math.Abs(db) <= 1e-12*(math.Abs(a)+math.Abs(b))
				a, b, cost = na, nb, nc
				lambda = math.Max(lambda/10, 1e-12)
				improved = true
				if converged {
					return a, b
				}
				break
			}
			lambda *= 10
		}
		if !improved {
			return a, b
		}
	}
	return a, b
}
