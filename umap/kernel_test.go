package umap

import (
	"math"
	"math/rand/v2"
	"testing"
)

// kernelInputs returns offsets covering the range the SGD meets (squared
// distances from 1e-20 to 1e12), coincident pairs, signed zeros and tiny
// and huge values.
func kernelInputs(n int) (dx, dy []float32) {
	rng := rand.New(rand.NewPCG(3, 4))
	dx, dy = make([]float32, n), make([]float32, n)
	special := []float32{0, float32(math.Copysign(0, -1)), 1e-20, -1e-20, 1e-3, 1, -1, 30, 1e6, -1e6}
	for i := range dx {
		switch i % 4 {
		case 0:
			dx[i], dy[i] = special[i/4%len(special)], special[(i/4+i/40)%len(special)]
		default:
			r := float32(math.Pow(10, 16*rng.Float64()-10))
			a := 2 * math.Pi * rng.Float64()
			dx[i], dy[i] = r*float32(math.Cos(a)), r*float32(math.Sin(a))
		}
	}
	return dx, dy
}

// The dispatched kernel (AVX2 where available) must give exactly the bits of
// the portable one, for lengths around the eight-lane groups.
func TestGradKernelMatchesPortable(t *testing.T) {
	a, b := FitAB(0.5, 1)
	for _, k := range []*kernelParams{attractionParams(float32(a), float32(b)), repulsionParams(float32(a), float32(b), 1),
		attractionParams(1.577, 0.8951), repulsionParams(1.577, 0.8951, 2)} {
		for _, n := range []int{0, 1, 7, 8, 9, 16, 23, 1000} {
			dx, dy := kernelInputs(n)
			gx0, gy0 := make([]float32, n), make([]float32, n)
			gx1, gy1 := make([]float32, n), make([]float32, n)
			gradKernelGo(dx, dy, gx0, gy0, k)
			gradKernel(dx, dy, gx1, gy1, k)
			for i := range gx0 {
				if math.Float32bits(gx0[i]) != math.Float32bits(gx1[i]) || math.Float32bits(gy0[i]) != math.Float32bits(gy1[i]) {
					t.Fatalf("n=%d pair %d (%g, %g): portable (%g, %g), dispatched (%g, %g)",
						n, i, dx[i], dy[i], gx0[i], gy0[i], gx1[i], gy1[i])
				}
			}
		}
	}
}

// The kernel must follow umap-learn's formulas, evaluated here in float64
// with math.Pow: to 2e-5 relative (float32 rounding of a dozen operations
// and the 1e-6 error of the power), or exactly at the clip and at d² = 0.
// Squared distances below 1e-20, where float32 squares lose precision and
// d^{2b} leaves the normal range, are left out: float32 coordinates of a
// layout spanning ~10 units never get that close without coinciding.
func TestGradKernelAccuracy(t *testing.T) {
	a, b, gamma := 0.583030, 1.334166, 1.0
	att := attractionParams(float32(a), float32(b))
	rep := repulsionParams(float32(a), float32(b), float32(gamma))
	dx, dy := kernelInputs(4000)
	n := len(dx)
	gx, gy := make([]float32, n), make([]float32, n)
	clip := func(x float64) float64 { return math.Max(-4, math.Min(4, x)) }
	for _, c := range []struct {
		name string
		k    *kernelParams
		coef func(d2 float64) float64
		zero float64
	}{
		{"attraction", att, func(d2 float64) float64 {
			return -2 * a * b * math.Pow(d2, b-1) / (a*math.Pow(d2, b) + 1)
		}, 0},
		{"repulsion", rep, func(d2 float64) float64 {
			return 2 * gamma * b / ((0.001 + d2) * (a*math.Pow(d2, b) + 1))
		}, 4},
	} {
		gradKernel(dx, dy, gx, gy, c.k)
		worst := 0.0
		for i := range dx {
			x, y := float64(dx[i]), float64(dy[i])
			d2 := x*x + y*y
			if d2 > 0 && d2 < 1e-20 {
				continue
			}
			for _, p := range [][2]float64{{x, float64(gx[i])}, {y, float64(gy[i])}} {
				want := c.zero
				if d2 > 0 {
					want = clip(c.coef(d2) * p[0])
				}
				// Gradients below 1e-30 underflow float32's range.
				err := math.Abs(p[1]-want) / max(math.Abs(want), 1e-30)
				worst = max(worst, err)
				if !(err <= 2e-5) {
					t.Errorf("%s at (%g, %g): got %g, want %g", c.name, x, y, p[1], want)
				}
			}
		}
		t.Logf("%s: largest relative error %.2g", c.name, worst)
	}
}
