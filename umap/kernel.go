package umap

import "math"

// The gradient kernel evaluates umap-learn's attractive or repulsive
// gradient for many pairs at once, in float32 like umap-learn (which works on
// float32 coordinates). For a pair at offset (dx, dy), squared distance
// d² = dx² + dy² and p = d^{2b}:
//
//	coef = c·(s·p + t) / ((ε + d²)·(a·p + 1)),   g = clip₄(coef·(dx, dy))
//
// attraction: c = −2ab, s = 1, t = 0, ε = 0 (coef = −2ab·d^{2(b−1)}/(a·p+1));
// repulsion:  c = 2γb,  s = 0, t = 1, ε = 0.001.
// Pairs at d² = 0 get g = (zero, zero): 0 for attraction, umap-learn's fixed
// push of 4 for repulsion.
//
// p is 2^{b·log₂d²} with short polynomials (relative error about 1e-6, far
// below what the layout can tell). gradKernelGo is the reference; on amd64
// with AVX2 an assembly version does the same operations in the same order
// eight pairs at a time, without fused multiply–adds, and so gives the same
// bits (kernel_test.go checks it): layouts do not depend on the processor.
var gradKernel = gradKernelGo

// kernelParams are the constants of one use of the kernel.
type kernelParams struct {
	a, b, c, s, t, eps, zero float32
	// lanes holds every constant of the kernel eight times over, for the
	// assembly version.
	lanes [kernelConsts][8]uint32
}

// kernelConsts is the number of constants in kernelParams.lanes.
const kernelConsts = 27

// attractionParams and repulsionParams return the kernel constants of
// umap-learn's attractive and repulsive gradients (gamma weighs repulsion).
func attractionParams(a, b float32) *kernelParams {
	return newKernelParams(kernelParams{a: a, b: b, c: -2 * a * b, s: 1})
}

func repulsionParams(a, b, gamma float32) *kernelParams {
	return newKernelParams(kernelParams{a: a, b: b, c: 2 * gamma * b, t: 1, eps: 0.001, zero: 4})
}

// newKernelParams fills in k.lanes, in the order kernel_amd64.s expects.
func newKernelParams(k kernelParams) *kernelParams {
	f := math.Float32bits
	for c, v := range [kernelConsts]uint32{
		logBias, 1<<23 - 1, sqrtHalfBits, 127, f(1),
		f(kLog7), f(kLog5), f(kLog3), f(kLog1), f(k.b), f(zMin), f(zMax), f(roundShift),
		f(kExp6), f(kExp5), f(kExp4), f(kExp3), f(kExp2), f(kExp1),
		f(k.s), f(k.t), f(k.c), f(k.a), f(k.eps), f(k.zero), f(4), f(-4),
	} {
		for l := range k.lanes[c] {
			k.lanes[c][l] = v
		}
	}
	return &k
}

// Polynomial constants. log₂m for m in [√½, √2) is 2·log₂e·atanh(τ),
// τ = (m−1)/(m+1), |τ| ≤ 0.1716, by its series to τ⁷ (next term below 4e-8);
// 2^r for |r| ≤ ½ is e^{r·ln2} by its Taylor polynomial of degree 6
// (remainder below 1.3e-7).
const (
	kLog1 = 2 * math.Log2E
	kLog3 = 2 * math.Log2E / 3
	kLog5 = 2 * math.Log2E / 5
	kLog7 = 2 * math.Log2E / 7
	kExp1 = math.Ln2
	kExp2 = math.Ln2 * math.Ln2 / 2
	kExp3 = math.Ln2 * math.Ln2 * math.Ln2 / 6
	kExp4 = math.Ln2 * math.Ln2 * math.Ln2 * math.Ln2 / 24
	kExp5 = math.Ln2 * math.Ln2 * math.Ln2 * math.Ln2 * math.Ln2 / 120
	kExp6 = math.Ln2 * math.Ln2 * math.Ln2 * math.Ln2 * math.Ln2 * math.Ln2 / 720

	// sqrtHalfBits is float32(√½) as bits; adding logBias to a float's
	// bits moves mantissas in [√½, √2) to exponent 0 without a branch.
	sqrtHalfBits = 0x3f3504f3
	logBias      = 0x3f800000 - sqrtHalfBits
	// roundShift = 1.5·2²³: adding it rounds a float32 below 2²² in size to
	// an integer, which lands in the low mantissa bits.
	roundShift = 0x1.8p23
	// zMin and zMax bound b·log₂d² so that 2^z stays a finite normal number
	// and (ε + d²)(a·p + 1) cannot overflow for any sane coordinates.
	zMin = -126
	zMax = 64
)

// gradKernelGo sets (gx[i], gy[i]) to the clipped gradient of the pair at
// (dx[i], dy[i]) for i < len(dx). Explicit float32 conversions stop the
// compiler from fusing multiply–adds, which the assembly version does not do.
func gradKernelGo(dx, dy, gx, gy []float32, k *kernelParams) {
	dy, gx, gy = dy[:len(dx)], gx[:len(dx)], gy[:len(dx)]
	for i, x := range dx {
		y := dy[i]
		d2 := float32(x*x) + float32(y*y)
		if d2 == 0 {
			gx[i], gy[i] = k.zero, k.zero
			continue
		}
		ix := math.Float32bits(d2) + logBias
		e := float32(int32(ix>>23) - 127)
		m := math.Float32frombits(ix&(1<<23-1) + sqrtHalfBits)
		tau := (m - 1) / (m + 1)
		u := float32(tau * tau)
		l := e + float32(tau*(kLog1+float32(u*(kLog3+float32(u*(kLog5+float32(u*kLog7)))))))
		z := float32(k.b * l)
		if z < zMin {
			z = zMin
		}
		if z > zMax {
			z = zMax
		}
		sh := z + roundShift
		r := z - (sh - roundShift)
		scale := math.Float32frombits((math.Float32bits(sh) + 127) << 23)
		q := 1 + float32(r*(kExp1+float32(r*(kExp2+float32(r*(kExp3+float32(r*(kExp4+float32(r*(kExp5+float32(r*kExp6)))))))))))
		p := float32(q * scale)
		num := float32(k.c * (float32(k.s*p) + k.t))
		den := float32((k.eps + d2) * (float32(k.a*p) + 1))
		coef := num / den
		gx[i], gy[i] = clip4(float32(coef*x)), clip4(float32(coef*y))
	}
}

// clip4 is umap-learn's clip: gradients are limited to ±4 per coordinate.
// Plain comparisons: the built-in min and max also order NaNs and signed
// zeros, which costs time on this hot path and is not needed.
func clip4(x float32) float32 {
	if x > 4 {
		return 4
	}
	if x < -4 {
		return -4
	}
	return x
}
