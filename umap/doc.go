// Package umap lays out a cell graph in two dimensions the way scanpy's
// tl.umap (umap-learn's simplicial_set_embedding) does, for inputs that come
// without an X_umap embedding.
//
// The input is the symmetric fuzzy connectivity graph of obsp['connectivities']
// (see preprocess' neighbours step). Embed starts from a spectral layout of the
// graph and refines it with umap-learn's stochastic gradient descent: edges are
// sampled in proportion to their weight, each sample attracts its two ends and
// pushes the head away from a few uniformly drawn vertices.
//
// umap-learn's own random stream cannot be reproduced, so layouts agree with
// scanpy's by structure (neighbourhoods, clusters, paths), not coordinate by
// coordinate. Unlike umap-learn, which updates coordinates from several
// threads without locks, Embed gives bit-identical results for a given seed
// whatever the number of threads: see Embed for how.
package umap
