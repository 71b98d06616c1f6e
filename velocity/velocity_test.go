package velocity

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/velo-rna/velo/anndata"
	"github.com/velo-rna/velo/array"
)

func run(t *testing.T, a *anndata.AnnData, o Options) {
	t.Helper()
	if err := Velocity(context.Background(), a, o); err != nil {
		t.Fatal(err)
	}
}

func column[T any](t *testing.T, a *anndata.AnnData, name string) []T {
	t.Helper()
	d, ok := a.Var.Get(name)
	if !ok {
		t.Fatalf("var %s missing", name)
	}
	v, ok := d.([]T)
	if !ok {
		t.Fatalf("var %s is %T", name, d)
	}
	return v
}

func dense(t *testing.T, a *anndata.AnnData, name string) *array.Dense {
	t.Helper()
	m, ok := a.Layers[name]
	if !ok {
		t.Fatalf("layer %s missing", name)
	}
	return array.AsDense(m)
}

func TestVelocityDeterministic(t *testing.T) {
	a := synthetic(300, 40, 1)
	run(t, a, Options{Mode: ModeDeterministic})
	ms, mu := dense(t, a, "Ms"), dense(t, a, "Mu")
	vel := dense(t, a, "velocity")
	gamma := column[float32](t, a, "velocity_gamma")
	qreg := column[float32](t, a, "velocity_qreg_ratio")
	r2 := column[float64](t, a, "velocity_r2")
	se := column[float64](t, a, "velocity_gamma_se")
	low := column[float64](t, a, "velocity_gamma_ci_low")
	high := column[float64](t, a, "velocity_gamma_ci_high")
	expressed := make([]bool, a.NVars())
	r2s, gs := make([]float64, a.NVars()), make([]float64, a.NVars())
	for g := 0; g < a.NVars(); g++ {
		x, y := ms.Col(nil, g), mu.Col(nil, g)
		sel := FitCells(x, y, false, [2]float64{5, 95})
		want, _ := FitGamma(x, y, sel, false)
		if gamma[g] != want || qreg[g] != want {
			t.Errorf("gene %d: γ %v, qreg %v, FitGamma %v", g, gamma[g], qreg[g], want)
		}
		v := vel.Col(nil, g)
		for i := range v {
			if w := y[i] - float32(want*x[i]); v[i] != w {
				t.Fatalf("gene %d cell %d: velocity %v, want Mu − γ·Ms = %v", g, i, v[i], w)
			}
		}
		if w := R2(y, v); r2[g] != w {
			t.Errorf("gene %d: r2 %v, want %v", g, r2[g], w)
		}
		ci := FitGammaCI(x, y, sel, false, 0.95)
		if !sameFloat(se[g], ci.GammaSE) {
			t.Errorf("gene %d: SE %v, FitGammaCI %v", g, se[g], ci.GammaSE)
		}
		if !math.IsNaN(se[g]) && !(low[g] <= float64(gamma[g]) && float64(gamma[g]) <= high[g]) {
			t.Errorf("gene %d: interval [%v, %v] misses γ %v", g, low[g], high[g], gamma[g])
		}
		expressed[g] = anyPositive(x) && anyPositive(y)
		r2s[g], gs[g] = r2[g], float64(gamma[g])
	}
	if gamma[0] != 0 || r2[0] != 0 || !math.IsNaN(se[0]) {
		t.Errorf("all-zero gene: γ %v, r2 %v, SE %v; want 0, 0, NaN", gamma[0], r2[0], se[0])
	}
	want, _, _ := VelocityGenes(r2s, gs, expressed, nil, 0.01, 0.01)
	if got := column[bool](t, a, "velocity_genes"); !slices.Equal(got, want) {
		t.Errorf("velocity_genes %v, want %v", got, want)
	}
	for _, k := range []string{"velocity_offset", "velocity_offset2", "velocity_beta", "velocity_offset_se", "velocity_gamma_boot_ci_low"} {
		if a.Var.Has(k) {
			t.Errorf("constant or unrequested column %s written", k)
		}
	}
	if _, ok := a.Layers["variance_velocity"]; ok {
		t.Error("deterministic mode wrote variance_velocity")
	}
	params, ok := a.Uns["velocity_params"].(map[string]any)
	if !ok {
		t.Fatalf("uns velocity_params is %T", a.Uns["velocity_params"])
	}
	wantParams := map[string]any{"mode": "deterministic", "fit_offset": false, "perc": []int64{5, 95}, "gamma_ci": 0.95}
	if fmt.Sprint(params) != fmt.Sprint(wantParams) {
		t.Errorf("velocity_params %v, want %v", params, wantParams)
	}
	if _, ok := params["perc"].([]int64); !ok {
		t.Errorf("perc is %T, want []int64 as scVelo writes", params["perc"])
	}
}

func sameFloat(a, b float64) bool { return a == b || (math.IsNaN(a) && math.IsNaN(b)) }

// moments2 recomputes scVelo's second-order moments with a dense weight
// matrix: binarised graph plus self, rows normalised.
func moments2(a *anndata.AnnData) (mss, mus [][]float64) {
	n, g := a.NObs(), a.NVars()
	graph := a.Obsp["connectivities"].ToDense()
	s, u := array.AsDense(a.Layers["spliced"]), array.AsDense(a.Layers["unspliced"])
	mss, mus = make([][]float64, n), make([][]float64, n)
	for i := 0; i < n; i++ {
		var nb []int
		for j := 0; j < n; j++ {
			if j == i || graph.At(i, j) > 0 {
				nb = append(nb, j)
			}
		}
		mss[i], mus[i] = make([]float64, g), make([]float64, g)
		for k := 0; k < g; k++ {
			for _, j := range nb {
				mss[i][k] += float64(s.At(j, k)) * float64(s.At(j, k))
				mus[i][k] += float64(s.At(j, k)) * float64(u.At(j, k))
			}
			mss[i][k] /= float64(len(nb))
			mus[i][k] /= float64(len(nb))
		}
	}
	return mss, mus
}

func TestVelocityStochastic(t *testing.T) {
	a := synthetic(300, 40, 2)
	run(t, a, Options{})
	n := a.NObs()
	ms, mu := dense(t, a, "Ms"), dense(t, a, "Mu")
	vel, vvar := dense(t, a, "velocity"), dense(t, a, "variance_velocity")
	gamma := column[float32](t, a, "velocity_gamma")
	qreg := column[float32](t, a, "velocity_qreg_ratio")
	genes := column[bool](t, a, "velocity_genes")
	se := column[float64](t, a, "velocity_gamma_se")
	mss, mus := moments2(a)
	refit := 0
	for g := 0; g < a.NVars(); g++ {
		x, y := ms.Col(nil, g), mu.Col(nil, g)
		v, vv := vel.Col(nil, g), vvar.Col(nil, g)
		if !genes[g] {
			if gamma[g] != qreg[g] || slices.ContainsFunc(vv, func(f float32) bool { return f != 0 }) {
				t.Errorf("gene %d is not a velocity gene but γ %v ≠ qreg %v or variance_velocity ≠ 0", g, gamma[g], qreg[g])
			}
			continue
		}
		refit++
		// Inputs of the refit, computed independently of Velocity.
		vss, cus := make([]float32, n), make([]float32, n)
		det := make([]float32, n)
		var sxy, sxx float64
		for i := 0; i < n; i++ {
			vss[i] = float32(2*float32(mss[i][g]) - x[i])
			cus[i] = float32(2*float32(mus[i][g]) + y[i])
			det[i] = y[i] - float32(qreg[g]*x[i])
			sxy += float64(vss[i]) * float64(cus[i])
			sxx += float64(vss[i]) * float64(vss[i])
		}
		g2 := float32(sxy / sxx)
		aux := make([]float64, n)
		for i := range aux {
			aux[i] = float64(cus[i] - float32(g2*vss[i]))
		}
		w := FitCells(x, y, false, [2]float64{5, 95})
		xOnly := make([]bool, n)
		extremes(xOnly, x, make([]float32, n), false, [2]float64{5, 95}, false)
		for i := range w {
			w[i] = w[i] || xOnly[i]
		}
		want := FitGeneralized(x, y, vss, cus, w, std(det), std(aux), false, false)
		// float32 rounding of the moments moves γ by a few 1e-7 relative.
		if math.Abs(float64(gamma[g])-want.Gamma) > 1e-5*want.Gamma {
			t.Errorf("gene %d: γ %v, independent GLS %v", g, gamma[g], want.Gamma)
		}
		if math.Abs(se[g]-want.GammaSE) > 1e-4*want.GammaSE {
			t.Errorf("gene %d: SE %v, independent GLS %v", g, se[g], want.GammaSE)
		}
		var vmax, dmax float64
		for i := 0; i < n; i++ {
			wv := float64(y[i]) - float64(gamma[g])*float64(x[i])
			vmax = math.Max(vmax, math.Abs(wv))
			dmax = math.Max(dmax, math.Abs(float64(v[i])-wv))
		}
		if dmax > 1e-5*vmax {
			t.Errorf("gene %d: velocity differs from Mu − γ·Ms by %g (max %g)", g, dmax, vmax)
		}
		vmax, dmax = 0, 0
		for i := 0; i < n; i++ {
			xs, ys := float64(x[i]), float64(y[i])
			wv := (2*mus[i][g] + ys - 2*xs*ys) - float64(gamma[g])*(2*mss[i][g]-xs-2*xs*xs)
			vmax = math.Max(vmax, math.Abs(wv))
			dmax = math.Max(dmax, math.Abs(float64(vv[i])-wv))
		}
		if dmax > 1e-4*vmax {
			t.Errorf("gene %d: variance_velocity off by %g (max %g)", g, dmax, vmax)
		}
	}
	if refit < 5 {
		t.Fatalf("only %d velocity genes in the synthetic data", refit)
	}
	if mode := a.Uns["velocity_params"].(map[string]any)["mode"]; mode != "stochastic" {
		t.Errorf("mode %v, want stochastic", mode)
	}
}

func TestVelocityOffsets(t *testing.T) {
	t.Run("deterministic", func(t *testing.T) {
		a := synthetic(200, 20, 3)
		run(t, a, Options{Mode: ModeDeterministic, FitOffset: true})
		ms, mu, vel := dense(t, a, "Ms"), dense(t, a, "Mu"), dense(t, a, "velocity")
		gamma := column[float64](t, a, "velocity_gamma")
		offset := column[float64](t, a, "velocity_offset")
		ose := column[float64](t, a, "velocity_offset_se")
		for g := range gamma {
			x, y := ms.Col(nil, g), mu.Col(nil, g)
			f := FitGammaCI(x, y, FitCells(x, y, true, [2]float64{5, 95}), true, 0.95)
			if gamma[g] != f.Gamma || offset[g] != f.Offset || !sameFloat(ose[g], f.OffsetSE) {
				t.Errorf("gene %d: (γ, offset, SE) = (%v, %v, %v), FitGammaCI %+v", g, gamma[g], offset[g], ose[g], f)
			}
			if offset[g] < 0 {
				t.Errorf("gene %d: negative offset %v", g, offset[g])
			}
			for i := range x {
				if w := float32(float64(y[i]) - f.Gamma*float64(x[i]) - f.Offset); vel.At(i, g) != w {
					t.Fatalf("gene %d cell %d: velocity %v, want %v", g, i, vel.At(i, g), w)
				}
			}
		}
		if fo := a.Uns["velocity_params"].(map[string]any)["fit_offset"]; fo != true {
			t.Errorf("fit_offset %v", fo)
		}
	})
	t.Run("stochastic", func(t *testing.T) {
		a := synthetic(200, 20, 3)
		run(t, a, Options{FitOffset: true, FitOffset2: true})
		// scVelo's dtypes: γ and offset float64 with fit_offset, offset2 float32.
		column[float64](t, a, "velocity_gamma")
		column[float64](t, a, "velocity_qreg_ratio")
		column[float64](t, a, "velocity_offset")
		column[float32](t, a, "velocity_offset2")
		column[float64](t, a, "velocity_offset_se")
	})
}

func TestVelocityGenesColumnRules(t *testing.T) {
	t.Run("omitted when every gene qualifies", func(t *testing.T) {
		a := synthetic(200, 12, 4)
		a.SubsetVars([]int{2, 3, 4, 5, 6, 7, 8, 9, 10, 11}) // drop the all-zero and near-empty genes
		a.Var.Set("velocity_genes", make([]bool, a.NVars()))
		run(t, a, Options{Mode: ModeDeterministic, MinR2: math.Inf(-1), MinRatio: math.Inf(-1)})
		if a.Var.Has("velocity_genes") {
			t.Error("constant velocity_genes written (or a stale column kept)")
		}
	})
	t.Run("highly_variable restricts", func(t *testing.T) {
		a := synthetic(200, 30, 5)
		hv := make([]bool, a.NVars())
		for g := range hv {
			hv[g] = g%2 == 0
		}
		a.Var.Set("highly_variable", hv)
		run(t, a, Options{Mode: ModeDeterministic})
		for g, v := range column[bool](t, a, "velocity_genes") {
			if v && !hv[g] {
				t.Errorf("gene %d is a velocity gene but not highly variable", g)
			}
		}
	})
	t.Run("fallback to the r2 percentile", func(t *testing.T) {
		a := synthetic(200, 30, 6)
		var logged []string
		run(t, a, Options{Mode: ModeDeterministic, MinR2: 2, Logf: func(f string, args ...any) {
			logged = append(logged, fmt.Sprintf(f, args...))
		}})
		r2 := column[float64](t, a, "velocity_r2")
		thr := percentile(r2, make([]float64, len(r2)), 80)
		for g, v := range column[bool](t, a, "velocity_genes") {
			if v != (r2[g] > thr) {
				t.Errorf("gene %d: velocity gene %v with r2 %v and threshold %v", g, v, r2[g], thr)
			}
		}
		if len(logged) == 0 || !strings.Contains(logged[0], "threshold") {
			t.Errorf("no fallback warning logged: %q", logged)
		}
	})
}

func TestVelocityErrors(t *testing.T) {
	tests := []struct {
		name   string
		modify func(a *anndata.AnnData)
		opts   Options
		want   string
	}{
		{"no Ms", func(a *anndata.AnnData) { delete(a.Layers, "Ms") }, Options{}, "layer Ms is missing: run moments first"},
		{"no Mu", func(a *anndata.AnnData) { delete(a.Layers, "Mu") }, Options{Mode: ModeDeterministic}, "layer Mu is missing: run moments first"},
		{"no spliced", func(a *anndata.AnnData) { delete(a.Layers, "spliced") }, Options{}, `layer "spliced" is missing`},
		{"no graph", func(a *anndata.AnnData) { delete(a.Obsp, "connectivities") }, Options{}, `obsp "connectivities" is missing`},
		{"unknown mode", func(*anndata.AnnData) {}, Options{Mode: "dynamical"}, `mode "dynamical"`},
		{"bad percentile", func(*anndata.AnnData) {}, Options{Perc: [2]float64{5, 101}}, "percentile 101"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := synthetic(50, 5, 7)
			tc.modify(a)
			err := Velocity(context.Background(), a, tc.opts)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
	t.Run("deterministic needs no second-moment inputs", func(t *testing.T) {
		a := synthetic(50, 5, 7)
		delete(a.Layers, "spliced")
		delete(a.Obsp, "connectivities")
		run(t, a, Options{Mode: ModeSteadyState})
		if m := a.Uns["velocity_params"].(map[string]any)["mode"]; m != "steady_state" {
			t.Errorf("mode recorded as %v", m)
		}
	})
	t.Run("cancelled context", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if err := Velocity(ctx, synthetic(50, 5, 7), Options{}); err != context.Canceled {
			t.Errorf("error %v, want context.Canceled", err)
		}
	})
}

// One and four threads give the same bits, bootstrap included.
func TestVelocityThreadsDeterminism(t *testing.T) {
	for _, mode := range []string{ModeDeterministic, ModeStochastic} {
		t.Run(mode, func(t *testing.T) {
			var runs [2]*anndata.AnnData
			for k, threads := range []int{1, 4} {
				runs[k] = synthetic(250, 30, 8)
				run(t, runs[k], Options{Mode: mode, GammaBootstrap: 40, Seed: 42, Threads: threads})
			}
			layers := []string{"velocity"}
			if mode == ModeStochastic {
				layers = append(layers, "variance_velocity")
			}
			for _, l := range layers {
				if !slices.Equal(bitsOf32(dense(t, runs[0], l).Data), bitsOf32(dense(t, runs[1], l).Data)) {
					t.Errorf("layer %s differs between 1 and 4 threads", l)
				}
			}
			if !slices.Equal(bitsOf32(column[float32](t, runs[0], "velocity_gamma")), bitsOf32(column[float32](t, runs[1], "velocity_gamma"))) {
				t.Error("velocity_gamma differs")
			}
			for _, c := range []string{"velocity_gamma_se", "velocity_gamma_ci_low", "velocity_gamma_boot_ci_low", "velocity_gamma_boot_ci_high"} {
				if !slices.Equal(bitsOf64(column[float64](t, runs[0], c)), bitsOf64(column[float64](t, runs[1], c))) {
					t.Errorf("%s differs between 1 and 4 threads", c)
				}
			}
		})
	}
}

func bitsOf32(x []float32) []uint32 {
	out := make([]uint32, len(x))
	for i, v := range x {
		out[i] = math.Float32bits(v)
	}
	return out
}

func bitsOf64(x []float64) []uint64 {
	out := make([]uint64, len(x))
	for i, v := range x {
		out[i] = math.Float64bits(v)
	}
	return out
}

// The bootstrap interval of a well-determined γ brackets the estimate, and a
// different seed moves it only slightly.
func TestVelocityBootstrap(t *testing.T) {
	for _, mode := range []string{ModeDeterministic, ModeStochastic} {
		t.Run(mode, func(t *testing.T) {
			a := synthetic(300, 30, 9)
			run(t, a, Options{Mode: mode, GammaBootstrap: 200, Seed: 1})
			gamma := column[float32](t, a, "velocity_gamma")
			lo := column[float64](t, a, "velocity_gamma_boot_ci_low")
			hi := column[float64](t, a, "velocity_gamma_boot_ci_high")
			inside, finite := 0, 0
			for g := range gamma {
				if math.IsNaN(lo[g]) || gamma[g] == 0 {
					continue
				}
				finite++
				if lo[g] <= float64(gamma[g]) && float64(gamma[g]) <= hi[g] {
					inside++
				}
			}
			if finite < 20 || inside < finite*9/10 {
				t.Errorf("bootstrap interval brackets γ for %d of %d genes", inside, finite)
			}
			if b := a.Uns["velocity_params"].(map[string]any)["gamma_bootstrap"]; b != int64(200) {
				t.Errorf("gamma_bootstrap %v (%T)", b, b)
			}
		})
	}
}
