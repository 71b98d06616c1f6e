// Package report turns a velocity result (an AnnData written by velo run or
// scVelo) into figures and a self-contained HTML report: the stream plot over
// the embedding, phase portraits with their steady-state fits, per-cell
// scores on the embedding, a table of the fitted genes, and the direction
// scores CBDir and ICCoh.
//
// It computes nothing new about the cells: figures are drawn by package plot
// from the keys velo and scVelo store (obsm X_<basis> and velocity_<basis>,
// layers Ms and Mu, var velocity_gamma and friends, uns velocity_params), so
// the command line and the demo draw the same pictures from the same file.
package report
