package velocity

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// The standard errors equal the diagonal of σ̂²(XᵀX)⁻¹ computed with gonum.
func TestFitGammaCIMatchesCovariance(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for _, offset := range []bool{false, true} {
		for trial := 0; trial < 20; trial++ {
			x, y := randomGene(r, 150, 0.5+r.Float64(), 1+r.Float64(), 0.3)
			sel := randomSelection(r, len(x))
			X, u := design(x, y, sel, offset)
			theta := normalSolution(t, X, u)
			var fitted, res mat.VecDense
			fitted.MulVec(X, theta)
			res.SubVec(u, &fitted)
			nr, p := X.Dims()
			s2 := mat.Dot(&res, &res) / float64(nr-p)
			var xtx, inv mat.Dense
			xtx.Mul(X.T(), X)
			if err := inv.Inverse(&xtx); err != nil {
				t.Fatal(err)
			}
			f := FitGammaCI(x, y, sel, offset, 0.95)
			wantSE := math.Sqrt(s2 * inv.At(p-1, p-1))
			if math.Abs(f.GammaSE-wantSE) > 1e-9*wantSE {
				t.Errorf("offset=%v: SE(γ) = %v, covariance gives %v", offset, f.GammaSE, wantSE)
			}
			if offset {
				wantO := math.Sqrt(s2 * inv.At(0, 0))
				if math.Abs(f.OffsetSE-wantO) > 1e-9*wantO {
					t.Errorf("SE(offset) = %v, covariance gives %v", f.OffsetSE, wantO)
				}
			}
			if f.DoF != nr-p || f.N != nr {
				t.Errorf("N %d, DoF %d, want %d, %d", f.N, f.DoF, nr, nr-p)
			}
			tq := studentT(f.DoF, 0.95)
			if math.Abs(f.High-f.Gamma-tq*f.GammaSE) > 1e-12 || math.Abs(f.Gamma-f.Low-tq*f.GammaSE) > 1e-12 {
				t.Errorf("interval [%v, %v] is not γ ± t·SE", f.Low, f.High)
			}
		}
	}
}

// Student t critical values from published tables.
func TestStudentT(t *testing.T) {
	tests := []struct {
		dof  int
		want float64
	}{
		{1, 12.706204736},
		{10, 2.228138852},
		{30, 2.042272456},
	}
	for _, tc := range tests {
		if got := studentT(tc.dof, 0.95); math.Abs(got-tc.want) > 1e-8 {
			t.Errorf("t(0.975, %d) = %.10f, want %.10f", tc.dof, got, tc.want)
		}
	}
	if !math.IsNaN(studentT(0, 0.95)) {
		t.Error("t with 0 degrees of freedom should be NaN")
	}
}

// On data that follow the model's own assumptions (u = γs + o + Gaussian
// noise on fixed s, every cell fitted) the 95 % interval covers the true γ
// for about 95 % of genes. With 1000 genes the binomial standard deviation
// is 0.7 %, so 93–97 % is a ±3σ band; the seed makes the test deterministic.
func TestGammaIntervalCoverage(t *testing.T) {
	const genes, cells = 1000, 60
	tests := []struct {
		name   string
		offset bool
	}{
		{"with offset", true},
		{"through the origin", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(11, 12))
			s := make([]float32, cells)
			all := make([]bool, cells)
			for i := range s {
				s[i] = float32(0.5 + 4*r.Float64())
				all[i] = true
			}
			u := make([]float32, cells)
			covered := 0
			for g := 0; g < genes; g++ {
				gamma := 0.1 + 2*r.Float64()
				o, noise := 0.0, 0.05+0.3*r.Float64()
				if tc.offset {
					o = 20 + 10*r.Float64() // far from 0: the negative-intercept refit never triggers
				}
				for i := range u {
					u[i] = float32(gamma*float64(s[i]) + o + noise*r.NormFloat64())
				}
				f := FitGammaCI(s, u, all, tc.offset, 0.95)
				if f.Origin == tc.offset {
					t.Fatalf("gene %d: unexpected origin=%v", g, f.Origin)
				}
				if f.Low <= gamma && gamma <= f.High {
					covered++
				}
			}
			t.Logf("coverage %d/%d", covered, genes)
			if covered < 930 || covered > 970 {
				t.Errorf("95%% interval covered the true γ for %d of %d genes, want 930–970", covered, genes)
			}
		})
	}
}

func TestFitGammaCIDegenerate(t *testing.T) {
	x := []float32{1, 2, 3}
	y := []float32{2.5, 4.5, 6}
	tests := []struct {
		name   string
		sel    []bool
		offset bool
	}{
		{"one cell through the origin", []bool{false, true, false}, false},
		{"two cells with an offset", []bool{true, true, false}, true},
	}
	for _, tc := range tests {
		f := FitGammaCI(x, y, tc.sel, tc.offset, 0.95)
		if !math.IsNaN(f.GammaSE) || !math.IsNaN(f.Low) || !math.IsNaN(f.High) {
			t.Errorf("%s: SE %v, interval [%v, %v], want NaN", tc.name, f.GammaSE, f.Low, f.High)
		}
	}
}
