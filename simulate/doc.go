// Package simulate generates spliced and unspliced UMI counts from RNA
// splicing kinetics along a branching trajectory, with the ground truth
// (latent time, branch, kinetic rates, noise-free velocity) stored next to the
// counts, so velocity methods can be checked against known answers and a
// demonstration needs no download.
//
// The model is scVelo's: for each gene
//
//	du/dt = α(t) − β·u,   ds/dt = β·u − γ·s,
//
// with β = 1, so that the steady-state ratio u/s is γ. The transcription rate
// α(t) is piecewise constant along each lineage and the abundances are the
// exact solution of the equations, not a numerical integration.
//
// Cells share one latent time axis of length 24 (units of 1/β). They start as
// "Progenitor" (t < 6), become "Intermediate" (6 ≤ t < 12) and at t = 12 the
// trajectory splits into two or three fates ("Fate A", "Fate B", "Fate C").
// Genes follow one of six programs: constant (housekeeping), induced,
// repressed, transiently induced, induced in one fate only, and induced in one
// fate while repressed in the others. Counts are Poisson draws around the
// noise-free abundances scaled by a log-normal per-cell size factor.
package simulate
