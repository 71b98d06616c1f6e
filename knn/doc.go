// Package knn finds the k nearest neighbours of points given as the
// rows of a float32 matrix, and builds from them the two graphs scanpy's
// neighbors step stores: the distance graph (obsp['distances']) and UMAP's
// fuzzy connectivities (obsp['connectivities']).
//
// scanpy searches exhaustively below 8192 cells (sklearn's pairwise
// distances) and approximately above (pynndescent). Exact answers the same
// question without approximation at every size: neighbours are ranked by
// their squared Euclidean distance evaluated in float64, so the order never
// depends on how the search visited the points or on the number of threads.
// Reported distances are what sklearn reports for float32 input: the float32
// square root of the float32-rounded squared distance. Neighbours whose
// float32 distances tie may be ordered differently by sklearn, whose
// argpartition/argsort order among equal values is unspecified.
//
// Approximate answers it by NN-descent for large data sets, where an
// exhaustive search costs more than its exactness is worth; it too gives
// the same bits for any number of threads.
//
// The package knows nothing of AnnData; preprocess.Neighbors wires it up.
package knn
