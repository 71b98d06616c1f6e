// Package velo estimates RNA velocity from spliced and unspliced counts the
// way scVelo 0.3.3 does, and gives its numbers.
//
// The standard recipe, one call to Run, is scVelo's tutorial pipeline:
//
//	filter_and_normalize(min_shared_counts=20, n_top_genes=2000)  preprocess.FilterAndNormalize
//	pca(30 components) and neighbors(30 incl. self)               preprocess.PCA, preprocess.Neighbors
//	moments (Ms, Mu)                                              preprocess.Moments
//	velocity (stochastic or deterministic steady-state model)     velocity.Velocity
//	velocity_graph, velocity_embedding, velocity_confidence       graph.*
//	terminal_states, velocity_pseudotime                          graph.*
//
// Each step reads and writes the AnnData keys scVelo uses, so a file written
// by velo opens in anndata, scanpy, scVelo and CellRank unchanged, and any
// step can be run on its own from the packages named above. Steps that find
// their results already present (a PCA, a neighbour graph with enough
// neighbours, normalised layers) reuse them as scVelo does.
package velo
