package velocity

import (
	"github.com/velo-rna/velo/anndata"
)

// fewGenes is the count below which scVelo warns that too few velocity
// genes were selected.
const fewGenes = 10

// storeParams writes the var columns and uns parameters of a run.
func storeParams(a *anndata.AnnData, o Options, fits []geneFit, genes []bool) {
	g := len(fits)
	pick := func(get func(f *geneFit) float64) []float64 {
		out := make([]float64, g)
		for k := range fits {
			out[k] = get(&fits[k])
		}
		return out
	}
	offset := pick(func(f *geneFit) float64 { return f.offset })
	offset2 := pick(func(f *geneFit) float64 { return f.offset2 })
	gamma := pick(func(f *geneFit) float64 { return f.gamma })
	qreg := pick(func(f *geneFit) float64 { return f.qreg })
	beta := make([]float32, g)
	for k := range beta {
		beta[k] = 1
	}
	r2 := pick(func(f *geneFit) float64 { return f.r2 })

	// scVelo's write_pars, in its order, with its dtypes: γ, the offset
	// and the quantile ratio are float64 with fit_offset (the intercept fit
	// is float64) and float32 otherwise; offset2 and β are float32; r² is
	// float64 (np.ones minus a float32 ratio).
	v := a.Var
	writeFloat(v, "velocity_offset", offset, o.FitOffset)
	writeFloat(v, "velocity_offset2", offset2, false)
	writePar(v, "velocity_beta", beta)
	writeFloat(v, "velocity_gamma", gamma, o.FitOffset)
	writeFloat(v, "velocity_qreg_ratio", qreg, o.FitOffset)
	writePar(v, "velocity_r2", r2)
	writePar(v, "velocity_genes", genes)
	if vg, ok := v.Get("velocity_genes"); ok {
		if c := countTrue(vg.([]bool)); c < fewGenes {
			o.Logf("velocity: only %d velocity genes were selected; consider a lower MinR2", c)
		}
	}

	v.Set("velocity_gamma_se", pick(func(f *geneFit) float64 { return f.se }))
	v.Set("velocity_gamma_ci_low", pick(func(f *geneFit) float64 { return f.low }))
	v.Set("velocity_gamma_ci_high", pick(func(f *geneFit) float64 { return f.high }))
	if o.FitOffset {
		v.Set("velocity_offset_se", pick(func(f *geneFit) float64 { return f.offsetSE }))
	} else {
		v.Delete("velocity_offset_se")
	}
	if o.GammaBootstrap > 0 {
		v.Set("velocity_gamma_boot_ci_low", pick(func(f *geneFit) float64 { return f.bootLow }))
		v.Set("velocity_gamma_boot_ci_high", pick(func(f *geneFit) float64 { return f.bootHigh }))
	} else {
		v.Delete("velocity_gamma_boot_ci_low")
		v.Delete("velocity_gamma_boot_ci_high")
	}

	params := map[string]any{
		"mode":       o.Mode,
		"fit_offset": o.FitOffset,
		"perc":       o.percValue(),
		"gamma_ci":   ciLevel,
	}
	if o.GammaBootstrap > 0 {
		params["gamma_bootstrap"] = int64(o.GammaBootstrap)
	}
	a.Uns["velocity_params"] = params
}

// writePar is scVelo's write_pars for one column: set it when it holds more
// than one distinct value, delete it otherwise. NaN counts as distinct from
// everything, as in a Python set of numpy scalars.
func writePar[T float32 | float64 | bool](v *anndata.Frame, name string, data []T) {
	for k := 1; k < len(data); k++ {
		if data[k] != data[0] {
			v.Set(name, data)
			return
		}
	}
	v.Delete(name)
}

// writeFloat is writePar for a float64 column stored as float64 when wide
// and as float32 otherwise.
func writeFloat(v *anndata.Frame, name string, x []float64, wide bool) {
	if wide {
		writePar(v, name, x)
		return
	}
	out := make([]float32, len(x))
	for k, xk := range x {
		out[k] = float32(xk)
	}
	writePar(v, name, out)
}

func countTrue(b []bool) int {
	c := 0
	for _, v := range b {
		if v {
			c++
		}
	}
	return c
}
