package velocity

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// design returns the least-squares design on the selected cells: the column
// x, preceded by a column of ones with an offset, and the response.
func design(x, y []float32, sel []bool, offset bool) (*mat.Dense, *mat.VecDense) {
	var rows []float64
	var resp []float64
	p := 1
	if offset {
		p = 2
	}
	for i, s := range sel {
		if !s {
			continue
		}
		if offset {
			rows = append(rows, 1)
		}
		rows = append(rows, float64(x[i]))
		resp = append(resp, float64(y[i]))
	}
	return mat.NewDense(len(resp), p, rows), mat.NewVecDense(len(resp), resp)
}

// normalSolution solves (XᵀX)θ = Xᵀu numerically.
func normalSolution(t *testing.T, X *mat.Dense, u *mat.VecDense) *mat.VecDense {
	t.Helper()
	var xtx mat.Dense
	xtx.Mul(X.T(), X)
	var xtu mat.VecDense
	xtu.MulVec(X.T(), u)
	var theta mat.VecDense
	if err := theta.SolveVec(&xtx, &xtu); err != nil {
		t.Fatalf("normal equations: %v", err)
	}
	return &theta
}

func randomGene(r *rand.Rand, n int, gamma, offset, noise float64) (x, y []float32) {
	x, y = make([]float32, n), make([]float32, n)
	for i := range x {
		x[i] = float32(r.Float64() * 10)
		y[i] = float32(gamma*float64(x[i]) + offset + noise*r.NormFloat64())
	}
	return x, y
}

func randomSelection(r *rand.Rand, n int) []bool {
	sel := make([]bool, n)
	for i := range sel {
		sel[i] = r.Float64() < 0.3
	}
	return sel
}

// The closed forms equal the numerical normal-equation solution, and the
// gradient of the squared error −2Xᵀu + 2XᵀXθ vanishes at them.
func TestFitGammaNormalEquations(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, offset := range []bool{false, true} {
		for trial := 0; trial < 50; trial++ {
			x, y := randomGene(r, 200, 0.2+r.Float64(), 1+r.Float64(), 0.5)
			sel := randomSelection(r, len(x))
			X, u := design(x, y, sel, offset)
			theta := normalSolution(t, X, u)
			fit := FitGammaCI(x, y, sel, offset, 0.95)
			if fit.Origin == offset {
				t.Fatalf("offset=%v: Origin=%v (intercept %v should be positive)", offset, fit.Origin, fit.Offset)
			}
			got := []float64{fit.Gamma}
			if offset {
				got = []float64{fit.Offset, fit.Gamma}
			}
			// The origin slope sums in float32 as scVelo does (~1e-7 relative
			// for 60 cells); the offset fit is float64 throughout.
			tol := 1e-9
			if !offset {
				tol = 2e-6
			}
			for k, g := range got {
				if w := theta.AtVec(k); math.Abs(g-w) > tol*math.Abs(w) {
					t.Errorf("offset=%v trial %d: θ[%d] = %v, normal equations give %v", offset, trial, k, g, w)
				}
			}
			// Gradient at the closed form, relative to the size of its terms.
			th := mat.NewVecDense(len(got), got)
			var xtu, xtxth mat.VecDense
			xtu.MulVec(X.T(), u)
			var xtx mat.Dense
			xtx.Mul(X.T(), X)
			xtxth.MulVec(&xtx, th)
			var grad mat.VecDense
			grad.SubVec(&xtxth, &xtu)
			grad.ScaleVec(2, &grad)
			if rel := mat.Norm(&grad, 2) / (2 * mat.Norm(&xtu, 2)); rel > 1e-6 {
				t.Errorf("offset=%v trial %d: relative gradient %g", offset, trial, rel)
			}
			g32, o32 := FitGamma(x, y, sel, offset)
			if g32 != float32(fit.Gamma) || o32 != float32(fit.Offset) {
				t.Errorf("FitGamma = (%v, %v), FitGammaCI = (%v, %v)", g32, o32, fit.Gamma, fit.Offset)
			}
		}
	}
}

func TestFitGammaExactRecovery(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	tests := []struct {
		name          string
		gamma, offset float64
		fitOffset     bool
	}{
		{"origin", 0.7, 0, false},
		{"offset", 0.3, 2.5, true},
		{"steep with offset", 4, 0.25, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			x, y := randomGene(r, 300, tc.gamma, tc.offset, 0)
			sel := FitCells(x, y, tc.fitOffset, [2]float64{5, 95})
			g, o := FitGamma(x, y, sel, tc.fitOffset)
			// float32 data carries rounding of 6e-8 relative.
			if math.Abs(float64(g)-tc.gamma) > 1e-6*tc.gamma {
				t.Errorf("γ = %v, want %v", g, tc.gamma)
			}
			if math.Abs(float64(o)-tc.offset) > 1e-5*(1+tc.offset) {
				t.Errorf("offset = %v, want %v", o, tc.offset)
			}
		})
	}
}

func TestFitGammaEdgeCases(t *testing.T) {
	n := 40
	all := make([]bool, n)
	for i := range all {
		all[i] = true
	}
	ramp := make([]float32, n)
	for i := range ramp {
		ramp[i] = float32(i + 1)
	}
	t.Run("all-zero gene gives 0 and no error estimate", func(t *testing.T) {
		for _, off := range []bool{false, true} {
			x, y := make([]float32, n), make([]float32, n)
			sel := FitCells(x, y, off, [2]float64{5, 95})
			g, o := FitGamma(x, y, sel, off)
			if g != 0 || o != 0 {
				t.Errorf("offset=%v: (γ, offset) = (%v, %v), want (0, 0)", off, g, o)
			}
			if f := FitGammaCI(x, y, sel, off, 0.95); !math.IsNaN(f.GammaSE) || !math.IsNaN(f.Low) {
				t.Errorf("offset=%v: SE %v, interval [%v, %v], want NaN", off, f.GammaSE, f.Low, f.High)
			}
		}
	})
	t.Run("negative intercept falls back to the origin slope", func(t *testing.T) {
		y := make([]float32, n)
		for i := range y {
			y[i] = 0.5*ramp[i] - 3 + 0.1*float32(i%3)
		}
		sxy, sxx := 0.0, 0.0
		for i := range y {
			sxy += float64(ramp[i]) * float64(y[i])
			sxx += float64(ramp[i]) * float64(ramp[i])
		}
		f := FitGammaCI(ramp, y, all, true, 0.95)
		if !f.Origin || f.Offset != 0 || math.Abs(f.Gamma-sxy/sxx) > 1e-6*sxy/sxx {
			t.Errorf("fit %+v, want origin slope %v with offset 0", f, sxy/sxx)
		}
		if g0, _ := FitGamma(ramp, y, all, false); float64(g0) != f.Gamma {
			t.Errorf("refit %v differs from the origin fit %v on the same cells", f.Gamma, g0)
		}
		if f.DoF != n-1 || !math.IsNaN(f.OffsetSE) {
			t.Errorf("DoF %d and offset SE %v, want %d and NaN (origin formula)", f.DoF, f.OffsetSE, n-1)
		}
	})
	t.Run("constant x with offset gives 0 (NaN rule)", func(t *testing.T) {
		x := make([]float32, n)
		for i := range x {
			x[i] = 2
		}
		g, o := FitGamma(x, ramp, all, true)
		if g != 0 || o != 0 {
			t.Errorf("(γ, offset) = (%v, %v), want (0, 0)", g, o)
		}
	})
	t.Run("no cells selected", func(t *testing.T) {
		g, o := FitGamma(ramp, ramp, make([]bool, n), false)
		if g != 0 || o != 0 {
			t.Errorf("(γ, offset) = (%v, %v), want (0, 0)", g, o)
		}
	})
}
