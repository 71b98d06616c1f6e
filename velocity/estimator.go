package velocity

import (
	"context"
	"fmt"

	"github.com/velo-rna/velo/anndata"
	"github.com/velo-rna/velo/array"
)

// Estimator fits the steady-state models one block of genes at a time, so
// that data whose dense layers do not fit in memory can be processed by
// computing each block's moments, fitting it and writing its velocities
// before the next. Velocity is the one-block case; any blocking gives the
// same numbers.
//
// Every fit is per gene except scVelo's choice of velocity genes, which
// falls back to a percentile of r² over all genes when fewer than two genes
// pass the per-gene rule, and which decides the genes the stochastic model
// refits. Fit assumes the per-gene rule; Finish reports when the fallback
// applies instead, and the caller then fits every block again.
type Estimator struct {
	o     Options
	n     int
	hv    []bool
	fits  []geneFit
	genes []bool // per-gene rule, or the final choice once known
	final bool   // genes is the final choice
	buf   buffers
}

// Block is a run of consecutive genes with their moments.
type Block struct {
	// Start is the position of the block's first gene.
	Start int
	// Ms and Mu are the first-order moments of the block's genes, cells ×
	// genes.
	Ms, Mu *array.Dense
	// SecondOrder returns Mss and Mus of the given genes (positions within
	// the block, increasing), one column each; the stochastic model calls it
	// once per block.
	SecondOrder func(genes []int) (mss, mus *array.Dense, err error)
}

// NewEstimator prepares the fit of a's genes (it reads var highly_variable
// and the shape of a).
func NewEstimator(a *anndata.AnnData, opts Options) (*Estimator, error) {
	o, err := opts.resolved()
	if err != nil {
		return nil, err
	}
	n, g := a.NObs(), a.NVars()
	if n == 0 || g == 0 {
		return nil, fmt.Errorf("velocity: AnnData has %d cells and %d genes", n, g)
	}
	hv, err := highlyVariable(a.Var)
	if err != nil {
		return nil, err
	}
	return &Estimator{o: o, n: n, hv: hv, fits: make([]geneFit, g), genes: make([]bool, g)}, nil
}

// Fit fits the genes of b and returns their layers velocity and, in the
// stochastic model, variance_velocity (nil otherwise), cells × genes.
func (e *Estimator) Fit(ctx context.Context, b Block) (vel, vvar *array.Dense, err error) {
	n, w := b.Ms.Rows, b.Ms.Cols
	if n != e.n || b.Mu.Rows != n || b.Mu.Cols != w || b.Start < 0 || b.Start+w > len(e.fits) {
		return nil, nil, fmt.Errorf("velocity: block of %d×%d moments at gene %d does not fit %d cells × %d genes",
			n, w, b.Start, e.n, len(e.fits))
	}
	o := e.o
	fits := e.fits[b.Start : b.Start+w]
	ms, mu := geneMajor(b.Ms, e.buf.get(n*w), o.Threads), geneMajor(b.Mu, e.buf.get(n*w), o.Threads)
	defer func() { e.buf.put(ms, mu) }()
	if err := fitDeterministic(ctx, ms, mu, n, b.Start, fits, o); err != nil {
		return nil, nil, err
	}
	genes := e.genes[b.Start : b.Start+w]
	if !e.final {
		for k := range fits {
			genes[k] = e.qualifies(b.Start+k, &fits[k])
		}
	}
	var refit []int
	var mss, mus *array.Dense
	if o.stochastic() {
		refit = e.refit(b.Start, w)
		if len(refit) > 0 {
			if mss, mus, err = b.SecondOrder(refit); err != nil {
				return nil, nil, fmt.Errorf("velocity: stochastic model: %w", err)
			}
			m2s := geneMajor(mss, e.buf.get(n*len(refit)), o.Threads)
			m2u := geneMajor(mus, e.buf.get(n*len(refit)), o.Threads)
			err := fitStochastic(ctx, ms, mu, m2s, m2u, n, b.Start, refit, fits, o)
			e.buf.put(m2s, m2u)
			if err != nil {
				return nil, nil, err
			}
		}
	}
	intervals(fits)
	vel = velocityLayer(b.Ms, b.Mu, fits, o)
	switch {
	case o.stochastic() && len(refit) > 0:
		vvar = varianceLayer(b.Ms, b.Mu, mss, mus, refit, fits, o)
	case o.stochastic():
		vvar = array.NewDense(n, w)
	}
	return vel, vvar, ctx.Err()
}

// qualifies is scVelo's per-gene velocity-gene rule.
func (e *Estimator) qualifies(g int, f *geneFit) bool {
	return f.r2 > e.o.MinR2 && f.qreg > e.o.MinRatio && f.expressed && (e.hv == nil || e.hv[g])
}

// refit returns the genes of the block [start, start+w) the stochastic
// model refits, as positions within the block: the velocity genes, or
// every gene when the final choice has none (scVelo's compute_stochastic).
func (e *Estimator) refit(start, w int) []int {
	all := e.final && countTrue(e.genes) == 0
	var idx []int
	for k := 0; k < w; k++ {
		if all || e.genes[start+k] {
			idx = append(idx, k)
		}
	}
	return idx
}

// Finish applies scVelo's choice of velocity genes to the fits of all
// genes. When it differs from the per-gene rule Fit assumed, Finish returns
// redo: every block must then be fitted again (discarding the layers of
// the first pass) and Finish called once more. Otherwise it stores var
// columns and uns velocity_params in a (not the layers, which the caller
// owns).
func (e *Estimator) Finish(a *anndata.AnnData) (redo bool, err error) {
	if a.NVars() != len(e.fits) {
		return false, fmt.Errorf("velocity: AnnData has %d genes, the estimator %d", a.NVars(), len(e.fits))
	}
	if !e.final {
		genes := chooseGenes(e.fits, e.hv, e.o)
		e.final = true
		for g, v := range genes {
			if v != e.genes[g] {
				copy(e.genes, genes)
				return true, nil
			}
		}
	}
	storeParams(a, e.o, e.fits, e.genes)
	e.buf.release()
	return false, nil
}
