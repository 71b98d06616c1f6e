package preprocess

import (
	"context"
	"fmt"
	"sort"

	"github.com/velo-rna/velo/anndata"
	"github.com/velo-rna/velo/array"
)

// MomentsOptions are scVelo's pp.moments parameters.
type MomentsOptions struct {
	// NNeighbors is the number of neighbours (the cell included) to
	// average over; 0 means 30. A stored graph with fewer neighbours is
	// recomputed; one with more is pruned to the NNeighbors strongest.
	NNeighbors int
	// KeepGraph uses the stored graph as it is, whatever its size
	// (scVelo n_neighbors=None). The graph must exist.
	KeepGraph bool
	// Mode selects the graph: "connectivities" (default, also "") or
	// "distances" (the directed k−1 nearest-neighbour graph).
	Mode string
	// NPCs, UseRep, IgnoreHighlyVariable and Seed are passed to Neighbors
	// when the graph has to be (re)computed.
	NPCs                 *int
	UseRep               string
	IgnoreHighlyVariable bool
	Seed                 uint64
	Threads              int
	Logf                 Logf
}

// Moments computes the first-order moments (spec A9): layers Ms and Mu,
// the averages of the normalised spliced and unspliced counts over each
// cell and its neighbours in the connectivity graph, uniformly weighted
// (only the graph's pattern matters). Layers that still look like raw
// counts are normalised first (NormalizePerCell with defaults); the graph
// is computed when missing or built with fewer neighbours than requested.
func Moments(ctx context.Context, a *anndata.AnnData, opts MomentsOptions) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := checkShape(a); err != nil {
		return fmt.Errorf("moments: %w", err)
	}
	mode := opts.Mode
	if mode == "" {
		mode = "connectivities"
	}
	if mode != "connectivities" && mode != "distances" {
		return fmt.Errorf("moments: mode %q is not \"connectivities\" or \"distances\"", mode)
	}
	for _, l := range []string{"spliced", "unspliced"} {
		m, err := getMatrix(a, l)
		if err != nil {
			return fmt.Errorf("moments: %w", err)
		}
		if err := checkValues(a, l, m, true); err != nil {
			return fmt.Errorf("moments: %w", err)
		}
	}
	if notYetNormalized(a.Layers["spliced"]) || notYetNormalized(a.Layers["unspliced"]) {
		if err := NormalizePerCell(ctx, a, NormalizePerCellOptions{Logf: opts.Logf}); err != nil {
			return fmt.Errorf("moments: %w", err)
		}
	}
	w, err := MomentWeights(ctx, a, opts)
	if err != nil {
		return err
	}
	sm := NewSmoother(w)
	a.Layers["Ms"] = sm.Smooth(a.Layers["spliced"], opts.Threads)
	a.Layers["Mu"] = sm.Smooth(a.Layers["unspliced"], opts.Threads)
	opts.Logf.printf("    finished: added 'Ms' and 'Mu', moments of un/spliced abundances (adata.layers)")
	return nil
}

// MomentWeights returns the weights Moments averages with (spec A9): the
// moment weights (ConnectivityWeights) of the stored graph selected by
// opts.Mode, computed first when missing or built with fewer neighbours than
// requested, and pruned to the NNeighbors strongest when built with more.
// It lets callers smooth blocks of genes themselves with a Smoother.
func MomentWeights(ctx context.Context, a *anndata.AnnData, opts MomentsOptions) (*array.CSR, error) {
	mode := opts.Mode
	if mode == "" {
		mode = "connectivities"
	}
	if mode != "connectivities" && mode != "distances" {
		return nil, fmt.Errorf("moments: mode %q is not \"connectivities\" or \"distances\"", mode)
	}
	k := opts.NNeighbors
	if k == 0 {
		k = defaultNNeighbors
	}
	stored := storedNNeighbors(a)
	_, hasGraph := a.Obsp[mode]
	if !opts.KeepGraph && (k > stored || !hasGraph) {
		err := Neighbors(ctx, a, NeighborsOptions{NNeighbors: k, NPCs: opts.NPCs, UseRep: opts.UseRep,
			IgnoreHighlyVariable: opts.IgnoreHighlyVariable, Seed: opts.Seed, Threads: opts.Threads, Logf: opts.Logf})
		if err != nil {
			return nil, fmt.Errorf("moments: %w", err)
		}
		stored = k
	}
	graph, err := neighbourGraph(a, mode)
	if err != nil {
		return nil, fmt.Errorf("moments: %w", err)
	}
	verifyNeighbors(a, opts.Logf)
	if !opts.KeepGraph && k < stored {
		if mode == "connectivities" {
			graph = keepStrongest(graph, k, true)
		} else {
			graph = keepStrongest(graph, k, false)
		}
	}
	opts.Logf.printf("computing moments based on %s", mode)
	return ConnectivityWeights(graph), nil
}

// SecondOrderMoments returns Mss = W·(s∘s) and Mus = W·(s∘u) for the given
// genes (nil = all), with s, u the normalised spliced and unspliced layers
// (not the smoothed ones) and W the moment weights of the full stored
// connectivity graph (scVelo's second_order_moments, used by the
// stochastic model). Columns follow the order of genes.
func SecondOrderMoments(a *anndata.AnnData, genes []int, threads int) (mss, mus *array.Dense, err error) {
	s, err := getMatrix(a, "spliced")
	if err != nil {
		return nil, nil, fmt.Errorf("second-order moments: %w", err)
	}
	u, err := getMatrix(a, "unspliced")
	if err != nil {
		return nil, nil, fmt.Errorf("second-order moments: %w", err)
	}
	w, err := SecondOrderWeights(a)
	if err != nil {
		return nil, nil, err
	}
	if genes == nil {
		genes = make([]int, a.NVars())
		for g := range genes {
			genes[g] = g
		}
	}
	for _, g := range genes {
		if g < 0 || g >= a.NVars() {
			return nil, nil, fmt.Errorf("second-order moments: gene %d outside [0, %d)", g, a.NVars())
		}
	}
	sm := NewSmoother(w)
	mss = sm.SmoothProduct(s, s, genes, threads)
	mus = sm.SmoothProduct(s, u, genes, threads)
	return mss, mus, nil
}

// SecondOrderWeights returns the weights SecondOrderMoments averages with:
// the moment weights of the full stored connectivity graph. It lets callers
// smooth products of blocks of genes themselves with a Smoother.
func SecondOrderWeights(a *anndata.AnnData) (*array.CSR, error) {
	graph, err := neighbourGraph(a, "connectivities")
	if err != nil {
		return nil, fmt.Errorf("second-order moments: %w", err)
	}
	return ConnectivityWeights(graph), nil
}

// storedNNeighbors is uns neighbors params n_neighbors, 0 when absent.
func storedNNeighbors(a *anndata.AnnData) int {
	nb, _ := a.Uns["neighbors"].(map[string]any)
	params, _ := nb["params"].(map[string]any)
	switch v := params["n_neighbors"].(type) {
	case int64:
		return int(v)
	case float64:
		return int(v)
	case int:
		return v
	}
	return 0
}

// neighbourGraph returns the obsp graph of the given kind, found through
// uns neighbors <kind>_key when present.
func neighbourGraph(a *anndata.AnnData, kind string) (*array.CSR, error) {
	key := kind
	if nb, ok := a.Uns["neighbors"].(map[string]any); ok {
		if k, ok := nb[kind+"_key"].(string); ok {
			key = k
		}
	}
	g, ok := a.Obsp[key]
	if !ok {
		return nil, fmt.Errorf("obsp %q is missing: compute neighbours first", key)
	}
	if g.Rows != a.NObs() || g.Cols != a.NObs() {
		return nil, fmt.Errorf("obsp %q is %d×%d, want %d×%d", key, g.Rows, g.Cols, a.NObs(), a.NObs())
	}
	return g, nil
}

// verifyNeighbors logs scVelo's warning about very uneven neighbour counts
// in the distance graph.
func verifyNeighbors(a *anndata.AnnData, logf Logf) {
	d, err := neighbourGraph(a, "distances")
	if err != nil {
		return
	}
	lo, hi := -1, 0
	for i := 0; i < d.Rows; i++ {
		_, val := d.RowView(i)
		c := 0
		for _, v := range val {
			if v > 0 {
				c++
			}
		}
		if lo < 0 || c < lo {
			lo = c
		}
		hi = max(hi, c)
	}
	if lo*2 <= hi {
		logf.printf("WARNING: The neighbor graph has an unexpected format (e.g. computed outside scvelo) or is corrupted (e.g. due to subsetting). Consider recomputing with `pp.neighbors`.")
	}
}

// keepStrongest prunes every row to its m strongest positive entries,
// m = min(k, fewest positive entries of any row) (scVelo's
// select_connectivities when largest, select_distances otherwise). scVelo
// breaks ties through numpy's unstable argsort; here the larger column
// index wins among equal connectivities and the smaller among equal
// distances.
func keepStrongest(g *array.CSR, k int, largest bool) *array.CSR {
	m := k
	for i := 0; i < g.Rows; i++ {
		_, val := g.RowView(i)
		c := 0
		for _, v := range val {
			if v > 0 {
				c++
			}
		}
		m = min(m, c)
	}
	out := &array.CSR{Rows: g.Rows, Cols: g.Cols, Indptr: make([]int64, g.Rows+1)}
	for i := 0; i < g.Rows; i++ {
		idx, val := g.RowView(i)
		var pos []int
		for p, v := range val {
			if v > 0 {
				pos = append(pos, p)
			}
		}
		if len(pos) > m {
			sort.SliceStable(pos, func(x, y int) bool {
				vx, vy := val[pos[x]], val[pos[y]]
				if largest {
					return vx > vy || (vx == vy && idx[pos[x]] > idx[pos[y]])
				}
				return vx < vy
			})
			pos = pos[:m]
			sort.Ints(pos)
		}
		for _, p := range pos {
			out.Indices = append(out.Indices, idx[p])
			out.Data = append(out.Data, val[p])
		}
		out.Indptr[i+1] = int64(len(out.Data))
	}
	return out
}
