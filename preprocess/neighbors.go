package preprocess

import (
	"context"
	"fmt"

	"github.com/velo-rna/velo/anndata"
	"github.com/velo-rna/velo/array"
	"github.com/velo-rna/velo/knn"
)

// defaultNNeighbors is scVelo's pp.neighbors and pp.moments default
// (scanpy's own default is 15).
const defaultNNeighbors = 30

// NeighborsOptions are scVelo's pp.neighbors parameters (method 'umap',
// metric 'euclidean').
type NeighborsOptions struct {
	// NNeighbors counts the cell itself; 0 means 30. More than the number
	// of cells n becomes 1 + n/2, as scanpy does.
	NNeighbors int
	// NPCs is the number of leading X_pca columns used; nil means all
	// (computing 30 when X_pca is missing), 0 means X itself.
	NPCs *int
	// UseRep names the representation: "X", "X_pca" or another obsm key
	// (a key without its "X_" prefix is accepted). "" chooses X when there
	// are fewer than 50 genes or NPCs is 0, else X_pca (scVelo's rule).
	UseRep string
	// IgnoreHighlyVariable computes a missing PCA on all genes even when
	// var highly_variable exists (scVelo use_highly_variable=False).
	IgnoreHighlyVariable bool
	// KNNMethod is KNNExact, KNNApprox or "" for exact below
	// AutoApproxCells cells and approximate from there on.
	KNNMethod string
	// Seed of a PCA computed on the way, and of the approximate search.
	Seed    uint64
	Threads int
	Logf    Logf
}

// Neighbors computes the kNN graph of the cells (spec A8): exact Euclidean
// neighbours on X_pca[:, :NPCs] (computing a PCA first when X_pca is
// missing or too narrow), then obsp distances (each cell's k−1 nearest
// other cells, column indices sorted, zero distances dropped, as scanpy 1.9
// stores them) and obsp connectivities (UMAP's fuzzy union, float32), and
// uns neighbors {connectivities_key, distances_key, params {n_neighbors,
// method, metric, n_pcs, use_rep}} as scVelo writes it.
//
// scanpy is exact below 8192 cells and approximate (pynndescent) above;
// velo is exact below AutoApproxCells unless KNNMethod says otherwise, and
// records the search in params knn_method.
func Neighbors(ctx context.Context, a *anndata.AnnData, opts NeighborsOptions) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := checkShape(a); err != nil {
		return fmt.Errorf("neighbors: %w", err)
	}
	rep, data, err := neighborData(ctx, a, opts)
	if err != nil {
		return fmt.Errorf("neighbors: %w", err)
	}
	n := a.NObs()
	k := opts.NNeighbors
	if k == 0 {
		k = defaultNNeighbors
	}
	if k < 1 {
		return fmt.Errorf("neighbors: n_neighbors %d is not positive", k)
	}
	if k > n {
		opts.Logf.printf("WARNING: n_obs too small: adjusting to `n_neighbors = %d`", 1+n/2)
		k = 1 + n/2
	}
	opts.Logf.printf("computing neighbors")
	method, res, err := findNeighbors(ctx, data, k, opts)
	if err != nil {
		return fmt.Errorf("neighbors: %w", err)
	}
	a.Obsp["distances"] = knn.DistanceGraph(res)
	a.Obsp["connectivities"] = knn.Connectivities(res, opts.Threads)
	params := map[string]any{
		"n_neighbors": int64(opts.NNeighbors),
		"method":      "umap",
		"metric":      "euclidean",
		"use_rep":     rep,
		"knn_method":  method,
	}
	if opts.NNeighbors == 0 {
		params["n_neighbors"] = int64(defaultNNeighbors)
	}
	if opts.NPCs != nil {
		params["n_pcs"] = int64(*opts.NPCs)
	}
	a.Uns["neighbors"] = map[string]any{
		"connectivities_key": "connectivities",
		"distances_key":      "distances",
		"params":             params,
	}
	opts.Logf.printf("    finished: added 'distances' and 'connectivities', weighted adjacency matrices (adata.obsp)")
	return nil
}

// neighborData resolves the representation (scVelo's _get_rep and PCA
// rules) and returns its name and the matrix to search.
func neighborData(ctx context.Context, a *anndata.AnnData, opts NeighborsOptions) (string, *array.Dense, error) {
	rep := opts.UseRep
	if rep == "" {
		rep = "X_pca"
		if a.NVars() < 50 || (opts.NPCs != nil && *opts.NPCs == 0) {
			rep = "X"
		}
	} else if _, ok := a.Obsm[rep]; !ok && rep != "X" {
		if _, ok := a.Obsm["X_"+rep]; ok {
			rep = "X_" + rep
		}
	}
	if opts.NPCs != nil && *opts.NPCs < 0 {
		return "", nil, fmt.Errorf("n_pcs %d is negative", *opts.NPCs)
	}
	switch rep {
	case "X":
		x, err := getMatrix(a, "X")
		if err != nil {
			return "", nil, err
		}
		if err := checkValues(a, "X", x, false); err != nil {
			return "", nil, err
		}
		return rep, array.AsDense(x), nil
	case "X_pca":
		want := 0
		if opts.NPCs != nil {
			want = *opts.NPCs
		}
		if old, ok := a.Obsm["X_pca"]; !ok || old.Rows != a.NObs() || old.Cols < want {
			use := a.Var.Has("highly_variable") && !opts.IgnoreHighlyVariable
			err := PCA(ctx, a, PCAOptions{NComps: want, UseHighlyVariable: &use, Recompute: true,
				Seed: opts.Seed, Threads: opts.Threads, Logf: opts.Logf})
			if err != nil {
				return "", nil, err
			}
		} else if want == 0 && old.Cols < 10 {
			opts.Logf.printf("WARNING: Neighbors are computed on %d principal components only.", old.Cols)
		}
	}
	m, ok := a.Obsm[rep]
	if !ok {
		return "", nil, fmt.Errorf("obsm %q is missing", rep)
	}
	if m.Rows != a.NObs() {
		return "", nil, fmt.Errorf("obsm %q has %d rows, want %d", rep, m.Rows, a.NObs())
	}
	cols := m.Cols
	if opts.NPCs != nil && *opts.NPCs > 0 {
		if *opts.NPCs > m.Cols {
			return "", nil, fmt.Errorf("n_pcs = %d exceeds the %d columns of obsm %q", *opts.NPCs, m.Cols, rep)
		}
		cols = *opts.NPCs
	}
	if rep == "X_pca" && hasDuplicateRows(m) {
		opts.Logf.printf("WARNING: You seem to have duplicate cells in your data. Consider removing these via pp.remove_duplicate_cells.")
	}
	if cols == m.Cols {
		return rep, m, nil
	}
	idx := make([]int, cols)
	for j := range idx {
		idx[j] = j
	}
	return rep, m.SelectCols(idx), nil
}

// hasDuplicateRows is scVelo's duplicate-cell test: two cells with the same
// sum of PCA scores.
func hasDuplicateRows(m *array.Dense) bool {
	seen := make(map[float32]bool, m.Rows)
	for i := 0; i < m.Rows; i++ {
		var s float32
		for _, v := range m.Row(i) {
			s += v
		}
		if seen[s] {
			return true
		}
		seen[s] = true
	}
	return false
}
