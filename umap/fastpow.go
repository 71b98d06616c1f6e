package umap

import "math"

// powPos returns x^y for finite x > 0 with a relative error below 3e-7
// (float32 precision, at which umap-learn computes) and 0 when the result is
// below the smallest normal float64. It is 2^(y·log₂x) with both halves done
// by bit manipulation and short polynomials in Estrin's scheme, in one
// function body: the SGD evaluates d^{2b} once per sample, and math.Pow's
// latency and the calls dominated its time.
func powPos(x, y float64) float64 {
	// log₂x: split x = 2^e·m with m in [√½, √2) without branches (as musl's
	// log), then ln m = 2 atanh(t) = 2t(1 + t²/3 + t⁴/5 + t⁶/7 + …) with
	// t = (m−1)/(m+1), |t| ≤ 0.1716: the omitted terms are below 3e-8.
	const sqrtHalf = 0x3fe6a09e667f3bcd // bits of √½
	bits := math.Float64bits(x)
	bias := 0.0
	if bits < 1<<52 { // subnormal: scale into the normal range first
		bits = math.Float64bits(x * (1 << 54))
		bias = 54
	}
	ix := bits + (0x3ff0000000000000 - sqrtHalf)
	e := float64(int64(ix>>52)-0x3ff) - bias
	m := math.Float64frombits(ix&(1<<52-1) + sqrtHalf)
	t := (m - 1) / (m + 1)
	u := t * t
	p := (1 + u*(1.0/3)) + (u*u)*(1.0/5+u*(1.0/7))
	z := y * (e + (2*math.Log2E)*t*p)

	// 2^z: z = k + r with k an integer and |r| ≤ ½, then e^{r·ln2} by its
	// Taylor polynomial of degree 6 (remainder < 1.3e-7).
	if z < -1022 {
		return 0
	}
	if z > 1023 {
		return math.Inf(1)
	}
	// Adding 1.5·2⁵² rounds z to the nearest integer k, which lands in the
	// low mantissa bits of the sum: no float → int conversion needed.
	const shifter = 0x1.8p52
	s := z + shifter
	k := s - shifter
	f := (z - k) * math.Ln2
	f2 := f * f
	q := (1 + f) + f2*(1.0/2+f*(1.0/6)) + (f2*f2)*((1.0/24+f*(1.0/120))+f2*(1.0/720))
	return q * math.Float64frombits((math.Float64bits(s)+1023)<<52)
}
