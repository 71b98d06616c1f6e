package velo

import (
	"context"
	"math"
	"sort"
	"testing"

	"github.com/velo-rna/velo/anndata"
	"github.com/velo-rna/velo/array"
	"github.com/velo-rna/velo/format/h5ad"
	"github.com/velo-rna/velo/internal/testenv"
)

// Tolerances from the acceptance figures; the spec (§C7, §D) puts
// scVelo's float32 arithmetic at ~1e-6 relative, so these leave a margin of
// one to two orders of magnitude.
const (
	momentsTol  = 1e-5 // Ms, Mu: max |diff| / gene max
	gammaRelTol = 1e-4 // γ relative error for |γ| > 1e-3
	r2Tol       = 1e-4 // r² max abs diff
	velocityTol = 1e-4 // velocity, variance_velocity: max |diff| / gene max
)

func readRef(t *testing.T, parts ...string) *anndata.AnnData {
	t.Helper()
	a, err := h5ad.Read(testenv.Path(t, parts...))
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func runPipeline(t *testing.T, a *anndata.AnnData, opts Options) {
	t.Helper()
	if _, err := Run(context.Background(), a, opts); err != nil {
		t.Fatal(err)
	}
}

// maxScaledDiff returns max over genes of max_i |a−b| / max_i |b|.
func maxScaledDiff(t *testing.T, name string, got, want array.Matrix) float64 {
	t.Helper()
	g, w := array.AsDense(got), array.AsDense(want)
	if g.Rows != w.Rows || g.Cols != w.Cols {
		t.Fatalf("%s: shape %d×%d, want %d×%d", name, g.Rows, g.Cols, w.Rows, w.Cols)
	}
	worst := 0.0
	for j := 0; j < g.Cols; j++ {
		var diff, scale float64
		for i := 0; i < g.Rows; i++ {
			diff = math.Max(diff, math.Abs(float64(g.At(i, j))-float64(w.At(i, j))))
			scale = math.Max(scale, math.Abs(float64(w.At(i, j))))
		}
		if scale > 0 {
			worst = math.Max(worst, diff/scale)
		} else {
			worst = math.Max(worst, diff)
		}
	}
	return worst
}

func varFloats(t *testing.T, a *anndata.AnnData, key string) []float64 {
	t.Helper()
	v, err := a.Var.Float64(key)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func varBools(t *testing.T, a *anndata.AnnData, key string) []bool {
	t.Helper()
	v, err := a.Var.Bool(key)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// compareFit checks a velo result against scVelo's on the same genes.
func compareFit(t *testing.T, got, want *anndata.AnnData, stochastic bool) {
	t.Helper()
	vg, wg := varBools(t, got, "velocity_genes"), varBools(t, want, "velocity_genes")
	diffGenes := 0
	for i := range wg {
		if vg[i] != wg[i] {
			diffGenes++
		}
	}
	if diffGenes > 0 {
		t.Errorf("velocity_genes differ for %d genes", diffGenes)
	}
	gg, wgam := varFloats(t, got, "velocity_gamma"), varFloats(t, want, "velocity_gamma")
	worstGamma := 0.0
	for i := range wgam {
		if stochastic && !wg[i] {
			continue
		}
		if math.Abs(wgam[i]) > 1e-3 {
			worstGamma = math.Max(worstGamma, math.Abs(gg[i]-wgam[i])/math.Abs(wgam[i]))
		}
	}
	gr, wr := varFloats(t, got, "velocity_r2"), varFloats(t, want, "velocity_r2")
	worstR2 := 0.0
	for i := range wr {
		worstR2 = math.Max(worstR2, math.Abs(gr[i]-wr[i]))
	}
	vel := maxScaledDiff(t, "velocity", got.Layers["velocity"], want.Layers["velocity"])
	t.Logf("γ max rel err %.2g, r² max abs diff %.2g, velocity max diff/gene max %.2g, %d velocity genes", worstGamma, worstR2, vel, count(vg))
	if worstGamma > gammaRelTol || worstR2 > r2Tol || vel > velocityTol {
		t.Errorf("fit differs from scVelo beyond tolerance")
	}
	if stochastic {
		vv := maxScaledDiff(t, "variance_velocity", got.Layers["variance_velocity"], want.Layers["variance_velocity"])
		t.Logf("variance_velocity max diff/gene max %.2g", vv)
		if vv > velocityTol {
			t.Errorf("variance_velocity differs from scVelo by %.2g", vv)
		}
	}
}

func count(b []bool) int {
	n := 0
	for _, v := range b {
		if v {
			n++
		}
	}
	return n
}

// From scVelo's own preprocessed file (its graph and PCA), velo must give
// scVelo's moments and fit.
func TestPreprocessedMatchesScVelo(t *testing.T) {
	for _, ds := range []string{"pancreas", "pancreas_50obs"} {
		for _, mode := range []string{"deterministic", "stochastic"} {
			t.Run(ds+"/"+mode, func(t *testing.T) {
				a := readRef(t, "reference", ds, "preprocessed.h5ad")
				runPipeline(t, a, Options{Mode: mode, SkipGraph: true})
				mom := readRef(t, "reference", ds, "moments.h5ad")
				for _, l := range []string{"Ms", "Mu"} {
					d := maxScaledDiff(t, l, a.Layers[l], mom.Layers[l])
					t.Logf("%s max |diff| / gene max %.2g", l, d)
					if d > momentsTol {
						t.Errorf("%s differs from scVelo by %.2g", l, d)
					}
				}
				compareFit(t, a, readRef(t, "reference", ds, mode+".h5ad"), mode == "stochastic")
			})
		}
	}
}

// From raw counts velo runs every step itself (PCA by its own solver, its
// own kNN), so agreement is judged per gene by correlation.
func TestRawPancreasEndToEnd(t *testing.T) {
	for _, mode := range []string{"deterministic", "stochastic"} {
		t.Run(mode, func(t *testing.T) {
			a := readRef(t, "data", "pancreas", "pancreas.h5ad")
			runPipeline(t, a, Options{Mode: mode, SkipGraph: true})
			want := readRef(t, "reference", "pancreas", mode+".h5ad")
			if a.NVars() != 1126 || a.NVars() != want.NVars() {
				t.Fatalf("%d genes after filtering, scVelo keeps %d", a.NVars(), want.NVars())
			}
			for i, name := range want.Var.Index {
				if a.Var.Index[i] != name {
					t.Fatalf("gene %d is %q, scVelo has %q", i, a.Var.Index[i], name)
				}
			}
			got, ref := array.AsDense(a.Layers["velocity"]), array.AsDense(want.Layers["velocity"])
			var cors []float64
			for j := 0; j < got.Cols; j++ {
				if c, ok := columnPearson(got, ref, j); ok {
					cors = append(cors, c)
				}
			}
			sort.Float64s(cors)
			median, p5 := cors[len(cors)/2], cors[len(cors)*5/100]
			vg, wg := varBools(t, a, "velocity_genes"), varBools(t, want, "velocity_genes")
			inter, union := 0, 0
			for i := range vg {
				if vg[i] && wg[i] {
					inter++
				}
				if vg[i] || wg[i] {
					union++
				}
			}
			jac := float64(inter) / float64(union)
			t.Logf("per-gene velocity correlation over %d genes: median %.6f, 5th percentile %.6f; velocity_genes Jaccard %.4f (%d vs %d)",
				len(cors), median, p5, jac, count(vg), count(wg))
			if median < 0.999 || p5 < 0.99 || jac < 0.95 {
				t.Errorf("end-to-end result too far from scVelo")
			}
		})
	}
}

func columnPearson(a, b *array.Dense, j int) (float64, bool) {
	n := float64(a.Rows)
	var ma, mb float64
	for i := 0; i < a.Rows; i++ {
		ma += float64(a.At(i, j))
		mb += float64(b.At(i, j))
	}
	ma /= n
	mb /= n
	var sab, saa, sbb float64
	for i := 0; i < a.Rows; i++ {
		x, y := float64(a.At(i, j))-ma, float64(b.At(i, j))-mb
		sab += x * y
		saa += x * x
		sbb += y * y
	}
	if saa == 0 || sbb == 0 {
		return 0, false
	}
	return sab / math.Sqrt(saa*sbb), true
}
