// Package velocity fits RNA velocity with scVelo 0.3.3's steady-state
// models and adds the uncertainty of the fitted degradation ratios.
//
// Velocity is scVelo's tl.velocity for modes 'deterministic' (alias
// 'steady_state') and 'stochastic': per gene, the ratio γ of unspliced to
// spliced abundance is fitted on the cells in the extreme quantiles of both
// (FitCells, FitGamma); the velocity of a cell is its deviation Mu − γ·Ms
// from that steady state. The stochastic model refits γ of the velocity
// genes jointly on first and second moments by generalized least squares
// (FitGeneralized). R2 and VelocityGenes decide which genes later steps use.
//
// velo also reports how well γ is determined: least-squares standard errors
// and Student t intervals (FitGammaCI for the quantile fit; the GLS
// covariance for the stochastic refit) and, on request, a seeded bootstrap
// percentile interval.
//
// Numbers match scVelo's to float32 rounding: selections (percentiles,
// comparisons) and the velocity layers follow numpy's arithmetic operation by
// operation, while the regression sums are accumulated in float64, which is
// more exact than scVelo's float32 sums and differs from them by about 1e-6
// relative.
package velocity
