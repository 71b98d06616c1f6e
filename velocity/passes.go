package velocity

import (
	"context"
	"math"
)

// fitDeterministic fits every gene's steady-state line on its extreme
// cells (A10) and its r² against all cells. fits[g] belongs to gene base+g,
// whose position seeds its bootstrap stream.
func fitDeterministic(ctx context.Context, ms, mu []float32, n, base int, fits []geneFit, o Options) error {
	type scratch struct {
		sel     []bool
		z, part []float32
		v       []float32
		boot    bootScratch
	}
	wide := o.FitOffset
	return forEach(ctx, len(fits), o.Threads, func() *scratch {
		return &scratch{sel: make([]bool, n), z: make([]float32, n), part: make([]float32, n), v: make([]float32, n)}
	}, func(sc *scratch, g int) {
		x, y := ms[g*n:(g+1)*n], mu[g*n:(g+1)*n]
		sel := selectByScore(sc.sel, sc.z, sc.part, x, y, o.FitOffset, o.Perc)
		lf := fitLine(x, y, sc.sel, o.FitOffset)
		f := &fits[g]
		*f = geneFit{sel: sel}
		// Through the origin lf.gamma is already float32-valued, like
		// scVelo's float32 γ array; with an offset scVelo's γ is float64.
		f.gamma, f.offset = lf.gamma, lf.offset
		f.qreg = f.gamma
		f.se, f.offsetSE, f.dof = lf.gammaSE, lf.offsetSE, lf.dof
		for i := range sc.v {
			sc.v[i] = residual(y[i], x[i], f.gamma, f.offset, wide)
		}
		f.r2 = R2(y, sc.v)
		f.resStd = std(sc.v)
		f.expressed = anyPositive(x) && anyPositive(y)
		f.bootLow, f.bootHigh = math.NaN(), math.NaN()
		if o.GammaBootstrap > 0 {
			f.bootLow, f.bootHigh = bootstrapLine(x, y, sc.sel, o.FitOffset, o.GammaBootstrap, geneStream(o.Seed, base+g), &sc.boot)
		}
	})
}

// fitStochastic refits γ of the given genes with the second-order moments
// (A11). m2s and m2u hold the second-order moments Mss and Mus of those
// genes, gene-major like ms and mu, one gene each; fits[g] belongs to gene
// base+g.
func fitStochastic(ctx context.Context, ms, mu, m2s, m2u []float32, n, base int, refit []int, fits []geneFit, o Options) error {
	type scratch struct {
		w        []bool
		all      []bool
		z, part  []float32
		vss, cus []float32
		aux      []float64
		rows     glsRows
		boot     bootScratch
	}
	return forEach(ctx, len(refit), o.Threads, func() *scratch {
		sc := &scratch{w: make([]bool, n), all: make([]bool, n), z: make([]float32, n), part: make([]float32, n),
			vss: make([]float32, n), cus: make([]float32, n), aux: make([]float64, n)}
		for i := range sc.all {
			sc.all[i] = true
		}
		return sc
	}, func(sc *scratch, k int) {
		g := refit[k]
		x, y := ms[g*n:(g+1)*n], mu[g*n:(g+1)*n]
		for i := 0; i < n; i++ {
			sc.vss[i], sc.cus[i] = secondMoments32(m2s[k*n+i], m2u[k*n+i], x[i], y[i])
		}
		aux, _, _, _ := lineParams(sc.vss, sc.cus, sc.all, o.FitOffset2)
		for i := range sc.aux {
			sc.aux[i] = auxResidual(sc.vss[i], sc.cus[i], aux.gamma, aux.offset, o.FitOffset2)
		}
		model := glsModel{r1: fits[g].resStd, r2: std(sc.aux), fitOffset: o.FitOffset, fitOffset2: o.FitOffset2}
		stochasticCells(sc.w, x, y, sc.z, sc.part, fits[g].sel, o.FitOffset, o.Perc)
		gf := fitGeneralized(x, y, sc.vss, sc.cus, sc.w, model, &sc.rows)
		f := &fits[g]
		// scVelo's leastsq_generalized returns float32 arrays.
		f.gamma = float64(float32(gf.Gamma))
		f.offset = float64(float32(gf.Offset))
		f.offset2 = float64(float32(gf.Offset2))
		f.se, f.offsetSE, f.dof = gf.GammaSE, gf.OffsetSE, gf.DoF
		if o.GammaBootstrap > 0 {
			f.bootLow, f.bootHigh = bootstrapGLS(x, y, sc.vss, sc.cus, sc.w, model, o.GammaBootstrap, geneStream(o.Seed, base+g), &sc.boot)
		}
	})
}

// intervals sets the ciLevel interval of every γ from its SE and degrees of
// freedom.
func intervals(fits []geneFit) {
	tc := newTCache(ciLevel)
	for g := range fits {
		f := &fits[g]
		f.low, f.high = interval(f.gamma, f.se, tc.get(f.dof))
	}
}
