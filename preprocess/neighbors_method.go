package preprocess

import (
	"context"
	"fmt"

	"github.com/velo-rna/velo/array"
	"github.com/velo-rna/velo/knn"
)

// Values of NeighborsOptions.KNNMethod.
const (
	// KNNExact searches exhaustively (knn.Exact): scanpy's answer below
	// 8192 cells, and the true neighbours at every size.
	KNNExact = "exact"
	// KNNApprox searches by NN-descent (knn.Approximate), as scanpy does
	// with pynndescent from 8192 cells on.
	KNNApprox = "approx"
)

// AutoApproxCells is the number of cells from which KNNMethod "" chooses
// the approximate search. On 30 clustered principal components with 30
// neighbours (2 cores), the exact search takes about 1.7 s at 20 000
// cells and 21 s at 100 000, NN-descent about 6 s at 100 000 (recall
// 0.98) and 55 s at a million: the exact search grows faster than
// linearly, so beyond 50 000 cells its cost is no longer worth its
// exactness.
const AutoApproxCells = 50_000

// findNeighbors runs the kNN search opts.KNNMethod selects and returns the
// method used.
func findNeighbors(ctx context.Context, data *array.Dense, k int, opts NeighborsOptions) (string, *knn.Result, error) {
	method := opts.KNNMethod
	if method == "" {
		method = KNNExact
		if data.Rows >= AutoApproxCells {
			method = KNNApprox
		}
	}
	var (
		res *knn.Result
		err error
	)
	switch method {
	case KNNExact:
		res, err = knn.Exact(ctx, data, k, opts.Threads)
	case KNNApprox:
		res, err = knn.Approximate(ctx, data, k, knn.ApproxOptions{Seed: opts.Seed, Threads: opts.Threads})
	default:
		return "", nil, fmt.Errorf("kNN method %q: want %q, %q or \"\" (automatic)", method, KNNExact, KNNApprox)
	}
	return method, res, err
}
