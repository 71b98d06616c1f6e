package velocity

import (
	"math"

	"gonum.org/v1/gonum/mat"
)

// pinvRcond is numpy.linalg.pinv's default relative cutoff: singular values
// at or below rcond·max(s) are treated as zero.
const pinvRcond = 1e-15

// pinvSym returns the Moore–Penrose pseudo-inverse of the symmetric p×p
// matrix a (p ≤ 3, row-major in a[:p][:p]) as numpy.linalg.pinv computes it
// (SVD, cutoff rcond·max(s)), and whether a singular value was cut, i.e.
// whether a is numerically rank deficient. The 1×1 case is 1/a, or 0 for
// a = 0, without an SVD.
func pinvSym(a [3][3]float64, p int) (inv [3][3]float64, deficient bool) {
	if p == 1 {
		if a[0][0] == 0 {
			return inv, true
		}
		inv[0][0] = 1 / a[0][0]
		return inv, false
	}
	m := mat.NewDense(p, p, nil)
	for i := 0; i < p; i++ {
		for j := 0; j < p; j++ {
			m.Set(i, j, a[i][j])
		}
	}
	var svd mat.SVD
	if !svd.Factorize(m, mat.SVDThin) {
		for i := range inv {
			for j := range inv[i] {
				inv[i][j] = math.NaN()
			}
		}
		return inv, true
	}
	s := svd.Values(nil)
	var u, v mat.Dense
	svd.UTo(&u)
	svd.VTo(&v)
	cut := pinvRcond * s[0] // gonum returns singular values in decreasing order
	for k, sk := range s {
		if !(sk > cut) {
			deficient = true
			continue
		}
		for i := 0; i < p; i++ {
			for j := 0; j < p; j++ {
				inv[i][j] += v.At(i, k) * u.At(j, k) / sk
			}
		}
	}
	return inv, deficient
}
