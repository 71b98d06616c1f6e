package velocity

// The residual formulas below reproduce scVelo's numpy expressions operation
// by operation, in the precision numpy uses for them: float32 when γ is a
// float32 array (the default), float64 when fit_offset makes γ and the
// offset float64 arrays. Explicit conversions round every intermediate and
// keep the compiler from fusing a multiply with an add.

// residual is one entry of layers['velocity']: Mu − γ·Ms (− offset).
func residual(mu, ms float32, gamma, offset float64, wide bool) float32 {
	if wide {
		return float32(float64(mu) - float64(gamma*float64(ms)) - offset)
	}
	return mu - float32(float32(gamma)*ms)
}

// secondMoments32 returns var_ss = 2·Mss − Ms and cov_us = 2·Mus + Mu in
// float32 as scVelo forms them (2·m is exact, so one rounding each).
func secondMoments32(mss, mus, ms, mu float32) (varSS, covUS float32) {
	return float32(2*mss) - ms, float32(2*mus) + mu
}

// varianceResidual is one entry of layers['variance_velocity']:
//
//	(cov_us − 2·Ms·Mu) − γ·(var_ss − 2·Ms²) (+ 2·offset·Ms) (− offset2)
func varianceResidual(varSS, covUS, ms, mu float32, gamma, offset, offset2 float64, fitOffset, fitOffset2 bool) float32 {
	a := covUS - float32(float32(2*ms)*mu)
	b := varSS - float32(2*float32(ms*ms))
	if !fitOffset {
		r := a - float32(float32(gamma)*b)
		if fitOffset2 {
			r -= float32(offset2)
		}
		return r
	}
	r := float64(a) - float64(gamma*float64(b)) + float64(2*offset*float64(ms))
	if fitOffset2 {
		r -= float64(float32(offset2))
	}
	return float32(r)
}

// auxResidual is one entry of scVelo's second-moment residual
// cov_us − γ₂·var_ss − offset₂, whose standard deviation weights the second
// block of the stochastic fit. Without an offset γ₂ is float32 and so is the
// arithmetic.
func auxResidual(varSS, covUS float32, gamma2, offset2 float64, fitOffset2 bool) float64 {
	if !fitOffset2 {
		return float64(covUS - float32(float32(gamma2)*varSS))
	}
	return float64(covUS) - float64(gamma2*float64(varSS)) - offset2
}

// divideGo sets dst[i] = float64(src[i]) / d for every i < len(src).
func divideGo(dst []float64, src []float32, d float64) {
	dst = dst[:len(src)]
	for i, v := range src {
		dst[i] = float64(v) / d
	}
}
