package velocity

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

type glsCase struct {
	x, y, x2, y2 []float32
	w            []bool
	r1, r2       float64
}

func randomGLSCase(r *rand.Rand, n int) glsCase {
	c := glsCase{x: make([]float32, n), y: make([]float32, n), x2: make([]float32, n), y2: make([]float32, n), w: make([]bool, n)}
	gamma := 0.3 + r.Float64()
	for i := 0; i < n; i++ {
		c.x[i] = float32(5 * r.Float64())
		c.y[i] = float32(gamma*float64(c.x[i]) + 0.4 + 0.3*r.NormFloat64())
		c.x2[i] = float32(10 * r.Float64())
		c.y2[i] = float32(gamma*float64(c.x2[i]) + 0.8 + 0.5*r.NormFloat64())
		c.w[i] = r.Float64() < 0.2
	}
	c.r1, c.r2 = 0.2+r.Float64(), 0.5+r.Float64()
	return c
}

// stacked builds scVelo's stacked system explicitly: 2n rows, the
// first-moment block zeroed outside the weights except for its intercept
// column.
func (c glsCase) stacked(fitOffset, fitOffset2 bool) (*mat.Dense, *mat.VecDense) {
	n := len(c.x)
	var cols int
	if fitOffset {
		cols++
	}
	if fitOffset2 {
		cols++
	}
	cols++
	A := mat.NewDense(2*n, cols, nil)
	b := mat.NewVecDense(2*n, nil)
	for i := 0; i < n; i++ {
		k := 0
		if fitOffset {
			A.Set(i, k, 1/c.r1)
			k++
		}
		if fitOffset2 {
			A.Set(n+i, k, 1/c.r2)
			k++
		}
		if c.w[i] {
			A.Set(i, k, float64(c.x[i])/c.r1)
			b.SetVec(i, float64(c.y[i])/c.r1)
		}
		A.Set(n+i, k, float64(c.x2[i])/c.r2)
		b.SetVec(n+i, float64(c.y2[i])/c.r2)
	}
	return A, b
}

func TestFitGeneralizedMatchesStackedSystem(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 22))
	for _, offs := range [][2]bool{{false, false}, {true, false}, {false, true}, {true, true}} {
		t.Run(fmt.Sprintf("fit_offset=%v/fit_offset2=%v", offs[0], offs[1]), func(t *testing.T) {
			for trial := 0; trial < 10; trial++ {
				c := randomGLSCase(r, 120)
				A, b := c.stacked(offs[0], offs[1])
				theta := normalSolution(t, A, b)
				f := FitGeneralized(c.x, c.y, c.x2, c.y2, c.w, c.r1, c.r2, offs[0], offs[1])
				var got []float64
				if offs[0] {
					got = append(got, f.Offset)
				}
				if offs[1] {
					got = append(got, f.Offset2)
				}
				got = append(got, f.Gamma)
				for k, g := range got {
					if w := theta.AtVec(k); math.Abs(g-w) > 1e-9*(math.Abs(w)+1e-3) {
						t.Errorf("θ[%d] = %v, stacked normal equations give %v", k, g, w)
					}
				}
				// σ̂² from the non-zero rows, covariance σ̂²(AᵀA)⁻¹.
				rows, p := 0, len(got)
				var fitted, res mat.VecDense
				fitted.MulVec(A, theta)
				res.SubVec(b, &fitted)
				for i := 0; i < A.RawMatrix().Rows; i++ {
					if mat.Norm(A.RowView(i), 2) != 0 || b.AtVec(i) != 0 {
						rows++
					}
				}
				if f.Rows != rows || f.DoF != rows-p {
					t.Errorf("rows %d, DoF %d, want %d, %d", f.Rows, f.DoF, rows, rows-p)
				}
				s2 := mat.Dot(&res, &res) / float64(rows-p)
				var ata, inv mat.Dense
				ata.Mul(A.T(), A)
				if err := inv.Inverse(&ata); err != nil {
					t.Fatal(err)
				}
				if want := math.Sqrt(s2 * inv.At(p-1, p-1)); math.Abs(f.GammaSE-want) > 1e-8*want {
					t.Errorf("SE(γ) = %v, covariance gives %v", f.GammaSE, want)
				}
				if offs[0] {
					if want := math.Sqrt(s2 * inv.At(0, 0)); math.Abs(f.OffsetSE-want) > 1e-8*want {
						t.Errorf("SE(offset) = %v, covariance gives %v", f.OffsetSE, want)
					}
				} else if !math.IsNaN(f.OffsetSE) {
					t.Errorf("SE(offset) = %v without an offset", f.OffsetSE)
				}
			}
		})
	}
}

// Without offsets the solution is the spec's closed form.
func TestFitGeneralizedClosedForm(t *testing.T) {
	c := randomGLSCase(rand.New(rand.NewPCG(23, 24)), 80)
	var num, den float64
	for i := range c.x {
		if c.w[i] {
			num += float64(c.x[i]) * float64(c.y[i]) / (c.r1 * c.r1)
			den += float64(c.x[i]) * float64(c.x[i]) / (c.r1 * c.r1)
		}
		num += float64(c.x2[i]) * float64(c.y2[i]) / (c.r2 * c.r2)
		den += float64(c.x2[i]) * float64(c.x2[i]) / (c.r2 * c.r2)
	}
	f := FitGeneralized(c.x, c.y, c.x2, c.y2, c.w, c.r1, c.r2, false, false)
	if want := num / den; math.Abs(f.Gamma-want) > 1e-12*want {
		t.Errorf("γ = %v, closed form %v", f.Gamma, want)
	}
}

func TestFitGeneralizedDegenerate(t *testing.T) {
	c := randomGLSCase(rand.New(rand.NewPCG(25, 26)), 50)
	tests := []struct {
		name   string
		r1, r2 float64
	}{
		{"zero first-moment residual std", 0, 1},
		{"zero second-moment residual std", 1, 0},
		{"NaN std", math.NaN(), 1},
	}
	for _, tc := range tests {
		for _, off := range []bool{false, true} {
			f := FitGeneralized(c.x, c.y, c.x2, c.y2, c.w, tc.r1, tc.r2, off, off)
			if f.Gamma != 0 || f.Offset != 0 || f.Offset2 != 0 || !math.IsNaN(f.GammaSE) {
				t.Errorf("%s (offsets %v): %+v, want zero parameters and NaN SE", tc.name, off, f)
			}
		}
	}
	t.Run("all-zero design", func(t *testing.T) {
		z := make([]float32, 10)
		f := FitGeneralized(z, z, z, z, make([]bool, 10), 1, 1, false, false)
		if f.Gamma != 0 || !math.IsNaN(f.GammaSE) {
			t.Errorf("%+v, want γ 0 (pinv of 0) and NaN SE", f)
		}
	})
}

func TestPinvSym(t *testing.T) {
	t.Run("invertible 3×3", func(t *testing.T) {
		a := [3][3]float64{{4, 1, 0.5}, {1, 3, 0.2}, {0.5, 0.2, 2}}
		inv, def := pinvSym(a, 3)
		if def {
			t.Fatal("reported rank deficient")
		}
		for i := 0; i < 3; i++ {
			for j := 0; j < 3; j++ {
				var s float64
				for k := 0; k < 3; k++ {
					s += a[i][k] * inv[k][j]
				}
				want := 0.0
				if i == j {
					want = 1
				}
				if math.Abs(s-want) > 1e-12 {
					t.Errorf("(A·A⁺)[%d][%d] = %v", i, j, s)
				}
			}
		}
	})
	t.Run("singular 2×2", func(t *testing.T) {
		// [[1,1],[1,1]] has pseudo-inverse [[¼,¼],[¼,¼]].
		inv, def := pinvSym([3][3]float64{{1, 1}, {1, 1}}, 2)
		if !def {
			t.Error("rank deficiency not reported")
		}
		for i := 0; i < 2; i++ {
			for j := 0; j < 2; j++ {
				if math.Abs(inv[i][j]-0.25) > 1e-12 {
					t.Errorf("pinv[%d][%d] = %v, want 0.25", i, j, inv[i][j])
				}
			}
		}
	})
}
