package umap

import (
	"context"
	"fmt"

	"github.com/velo-rna/velo/array"
)

// Embed returns n×2 float32 UMAP coordinates for the n vertices of graph, the
// symmetric fuzzy connectivity matrix obsp['connectivities'] (n×n; weights
// finite and non-negative, explicit zeros allowed).
//
// The steps are umap-learn's simplicial_set_embedding with scanpy's defaults
// (see Options): weights below max/NEpochs are dropped; the start is the
// spectral layout, i.e. eigenvectors 2 and 3 of the symmetric normalised
// Laplacian found by block thick-restart Lanczos on the sparse graph (no
// n×n matrix is formed; from 5000 vertices up it starts from the layout of
// the graph coarsened by heavy-edge matching, found the same way, which
// cuts the work about tenfold without changing what it converges to),
// scaled to a largest |coordinate| of 10, with
// Gaussian noise of sd 1e-4, each column then rescaled to [0, 10]; SGD with
// edge sampling, negative sampling, gradient clipping at ±4 and a linearly
// decaying learning rate follows.
//
// Where velo departs from umap-learn:
//   - a graph with several connected components gets a spectral layout per
//     component, packed in rows from the largest to the smallest, each
//     component in a square whose side is the square root of its size (umap-
//     learn places components with a meta-embedding of the data, which Embed
//     does not have); components of one or two vertices and components whose
//     eigenvectors do not converge (residual 1e-4 within 1500 products with
//     the graph) get seeded uniform random coordinates, as umap-learn's own
//     fallback does for the whole graph;
//   - negative samples of one edge sample all start from the head's position
//     after its attraction, rather than from where the previous negative
//     sample left it;
//   - the SGD updates positions batch by batch rather than edge by edge (see
//     the optimizer type), so the result is the same for any Threads;
//   - gradients are computed in float32 (like umap-learn, whose coordinates
//     are float32) with d^{2b} from short polynomials, relative error ~1e-6;
//   - the random streams are velo's own, so coordinates differ from scanpy's
//     even for the same seed; layouts agree in structure only.
//
// Cost: the SGD makes about NEpochs·(1 + NegativeSampleRate)·Σw/max w
// similarity evaluations (Σw/max w is about 8 per vertex for scanpy's
// 30-neighbour graphs) and keeps 8 bytes per graph entry besides a pruned
// copy of the graph (8 bytes per entry) that it releases once the SGD
// starts; the eigensolver keeps 34 float64 vectors of length n and the
// coarsened graphs (about as many entries again as the graph, in all).
//
// Embed returns an error for a non-square, malformed, asymmetric or
// negatively weighted graph, for options out of range, or when ctx is done.
func Embed(ctx context.Context, graph *array.CSR, opts Options) (*array.Dense, error) {
	o, err := opts.resolved(graph.Rows)
	if err != nil {
		return nil, err
	}
	g, err := newGraph(graph, o.NEpochs)
	if err != nil {
		return nil, err
	}
	out := array.NewDense(g.n, 2)
	if g.n == 0 {
		return out, nil
	}
	pos, _, err := initialLayout(ctx, g, o.Seed, o.Threads)
	if err != nil {
		return nil, fmt.Errorf("umap: spectral initialisation: %w", err)
	}
	a, b := FitAB(o.MinDist, o.Spread)
	if err := newOptimizer(g, o, a, b).run(ctx, pos, o.Progress); err != nil {
		return nil, fmt.Errorf("umap: optimisation: %w", err)
	}
	copy(out.Data, pos)
	return out, nil
}
