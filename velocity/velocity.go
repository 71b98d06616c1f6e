package velocity

import (
	"context"

	"github.com/velo-rna/velo/anndata"
	"github.com/velo-rna/velo/array"
	"github.com/velo-rna/velo/preprocess"
)

// geneFit collects everything Velocity computes for one gene.
type geneFit struct {
	gamma, offset, offset2 float64 // final parameters (stochastic refit included)
	qreg                   float64 // the deterministic quantile-fit γ
	r2                     float64
	expressed              bool    // some Ms > 0 and some Mu > 0
	resStd                 float64 // std of the deterministic residual
	se, offsetSE           float64
	dof                    int
	low, high              float64
	bootLow, bootHigh      float64
	sel                    scoreSelection // how the deterministic fit chose its cells
}

// Velocity estimates RNA velocity with scVelo 0.3.3's steady-state models
// (tl.velocity, modes 'deterministic' and 'stochastic') and stores the
// results under scVelo's keys:
//
//   - layers velocity (all genes, float32) and, stochastic only,
//     variance_velocity (zero for genes that were not refit);
//   - var velocity_gamma, velocity_qreg_ratio (the deterministic γ),
//     velocity_r2, velocity_genes, velocity_offset, velocity_offset2,
//     velocity_beta — each written only when it is not constant and deleted
//     otherwise, as scVelo's write_pars does (so by default there is no
//     offset, offset2 or beta column, and no velocity_genes column when all
//     genes or none qualify);
//   - uns velocity_params {mode, fit_offset, perc} (replacing any earlier
//     dict), plus velo's gamma_ci (0.95) and gamma_bootstrap.
//
// velo adds the uncertainty of γ, always written: var velocity_gamma_se,
// velocity_gamma_ci_low, velocity_gamma_ci_high (float64; γ ± t·SE), and
// velocity_offset_se with FitOffset; with GammaBootstrap > 0 also
// velocity_gamma_boot_ci_low/_high (percentile interval). Deterministic γ
// use the least-squares errors of FitGammaCI on the fitted cells;
// stochastically refit γ use the covariance of the weighted stacked system
// of FitGeneralized. Degenerate fits have NaN errors and intervals.
//
// It reads layers Ms and Mu; the stochastic model also reads the normalised
// spliced and unspliced layers and obsp connectivities for the second-order
// moments. As in scVelo, a variance_velocity layer left by an earlier
// stochastic run is not removed by a deterministic one.
func Velocity(ctx context.Context, a *anndata.AnnData, opts Options) error {
	e, err := NewEstimator(a, opts)
	if err != nil {
		return err
	}
	msM, err := layer(a, "Ms", "run moments first")
	if err != nil {
		return err
	}
	muM, err := layer(a, "Mu", "run moments first")
	if err != nil {
		return err
	}
	b := Block{Ms: array.AsDense(msM), Mu: array.AsDense(muM), SecondOrder: func(genes []int) (mss, mus *array.Dense, err error) {
		return preprocess.SecondOrderMoments(a, genes, e.o.Threads)
	}}
	for {
		vel, vvar, err := e.Fit(ctx, b)
		if err != nil {
			return err
		}
		redo, err := e.Finish(a)
		if err != nil {
			return err
		}
		if !redo {
			a.Layers["velocity"] = vel
			if vvar != nil {
				a.Layers["variance_velocity"] = vvar
			}
			return nil
		}
	}
}
