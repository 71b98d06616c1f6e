package graph

import (
	"fmt"
	"math"
	"strings"

	"github.com/velo-rna/velo/anndata"
)

// ParseEdges reads cluster transitions written "A>B" separated by commas,
// e.g. "Ductal>Ngn3 low EP,Ngn3 low EP>Ngn3 high EP". Space around names is
// trimmed; names may contain inner spaces.
func ParseEdges(s string) ([][2]string, error) {
	var out [][2]string
	for _, part := range strings.Split(s, ",") {
		if strings.TrimSpace(part) == "" {
			return nil, fmt.Errorf("edges %q: empty edge", s)
		}
		ab := strings.Split(part, ">")
		if len(ab) != 2 {
			return nil, fmt.Errorf("edges %q: %q is not of the form A>B", s, strings.TrimSpace(part))
		}
		a, b := strings.TrimSpace(ab[0]), strings.TrimSpace(ab[1])
		if a == "" || b == "" {
			return nil, fmt.Errorf("edges %q: %q names an empty cluster", s, strings.TrimSpace(part))
		}
		out = append(out, [2]string{a, b})
	}
	return out, nil
}

// clusterLabels returns obs[key] as strings and the set of its values.
func clusterLabels(a *anndata.AnnData, key string) ([]string, map[string]bool, error) {
	labels, err := a.Obs.Strings(key)
	if err != nil {
		return nil, nil, fmt.Errorf("obs %q: %w", key, err)
	}
	set := map[string]bool{}
	for _, l := range labels {
		set[l] = true
	}
	return labels, set, nil
}

// CBDir is the cross-boundary direction correctness of Qiao et al. (the
// score VeloAE and UniTVelo report): for each edge A→B and each cell c of
// cluster A, the mean cosine between c's projected velocity
// obsm["velocity_<basis>"] and the displacements x_j − x_c in
// obsm["X_<basis>"] to its neighbours j of cluster B; averaged over the
// cells of A with at least one such neighbour. Neighbours come from obsp
// distances, which holds each cell's n_neighbors − 1 nearest other cells
// (29 for scVelo's 30-neighbour graph): k = 0 uses all of them, k > 0 the k
// nearest (as scVelo's get_indices). The cell itself is never counted.
// Cells whose projected velocity is not finite are left out; a zero
// velocity or displacement counts as cosine 0 (as sklearn's
// cosine_similarity). The cluster key defaults to "clusters", the basis to
// "umap".
//
// It returns the score of each edge (NaN when no cell of A has a neighbour
// in B) and their mean over the edges that have a score.
func CBDir(a *anndata.AnnData, basis, clusterKey string, edges [][2]string, k int) (perEdge []float64, mean float64, err error) {
	if basis == "" {
		basis = "umap"
	}
	if clusterKey == "" {
		clusterKey = clustersFallback
	}
	x, ok := a.Obsm["X_"+basis]
	if !ok || x == nil {
		return nil, 0, fmt.Errorf("CBDir: obsm %q is missing", "X_"+basis)
	}
	v, ok := a.Obsm[defaultVKey+"_"+basis]
	if !ok || v == nil {
		return nil, 0, fmt.Errorf("CBDir: obsm %q is missing: run the velocity embedding first", defaultVKey+"_"+basis)
	}
	if x.Rows != a.NObs() || v.Rows != a.NObs() || v.Cols != x.Cols {
		return nil, 0, fmt.Errorf("CBDir: obsm %q (%d×%d) and %q (%d×%d) do not match %d cells", "X_"+basis, x.Rows, x.Cols, defaultVKey+"_"+basis, v.Rows, v.Cols, a.NObs())
	}
	labels, set, err := clusterLabels(a, clusterKey)
	if err != nil {
		return nil, 0, fmt.Errorf("CBDir: %w", err)
	}
	if len(edges) == 0 {
		return nil, 0, fmt.Errorf("CBDir: no edges")
	}
	for _, e := range edges {
		for _, c := range e {
			if !set[c] {
				return nil, 0, fmt.Errorf("CBDir: obs %q has no cluster %q", clusterKey, c)
			}
		}
	}
	table, err := metricNeighbors(a, k)
	if err != nil {
		return nil, 0, fmt.Errorf("CBDir: %w", err)
	}
	d := x.Cols
	diff := make([]float64, d)
	perEdge = make([]float64, len(edges))
	for ei, e := range edges {
		var total float64
		cells := 0
		for c, l := range labels {
			if l != e[0] || !finiteRow(v.Row(c)) {
				continue
			}
			var s float64
			cnt := 0
			for _, j := range table.row(c) {
				if labels[j] != e[1] {
					continue
				}
				for q := range diff {
					diff[q] = float64(x.At(int(j), q)) - float64(x.At(c, q))
				}
				s += cosine64(diff, v.Row(c))
				cnt++
			}
			if cnt > 0 {
				total += s / float64(cnt)
				cells++
			}
		}
		perEdge[ei] = math.NaN()
		if cells > 0 {
			perEdge[ei] = total / float64(cells)
		}
	}
	return perEdge, meanFinite(perEdge), nil
}

// ICCoh is the in-cluster coherence of Qiao et al.: for each cell, the
// mean cosine between its velocity and those of its neighbours in the same
// cluster, in gene space over the velocity genes (var velocity_genes, all
// when absent, minus genes with NaN velocity); averaged per cluster over
// cells with at least one same-cluster neighbour, then over clusters (NaN
// for a cluster where no cell has one; the mean skips those). Neighbours
// and k are as in CBDir, so the cell's cosine with itself never counts. A
// zero velocity counts as cosine 0.
func ICCoh(a *anndata.AnnData, clusterKey string, k int) (perCluster map[string]float64, mean float64, err error) {
	if clusterKey == "" {
		clusterKey = clustersFallback
	}
	vlayer, err := layerOf(a, defaultVKey)
	if err != nil {
		return nil, 0, fmt.Errorf("ICCoh: %w", err)
	}
	genes, err := velocityGenes(a, defaultVKey, vlayer)
	if err != nil {
		return nil, 0, fmt.Errorf("ICCoh: %w", err)
	}
	labels, set, err := clusterLabels(a, clusterKey)
	if err != nil {
		return nil, 0, fmt.Errorf("ICCoh: %w", err)
	}
	table, err := metricNeighbors(a, k)
	if err != nil {
		return nil, 0, fmt.Errorf("ICCoh: %w", err)
	}
	v := gatherRows(vlayer, genes, 0)
	norms := rowNorms(v)
	sum := map[string]float64{}
	cnt := map[string]int{}
	for c, l := range labels {
		var s float64
		m := 0
		for _, j := range table.row(c) {
			if labels[j] != l {
				continue
			}
			if den := norms[c] * norms[j]; den > 0 {
				s += dot64(v.Row(c), v.Row(int(j))) / den
			}
			m++
		}
		if m > 0 {
			sum[l] += s / float64(m)
			cnt[l]++
		}
	}
	perCluster = map[string]float64{}
	for l := range set {
		if cnt[l] > 0 {
			perCluster[l] = sum[l] / float64(cnt[l])
		} else {
			perCluster[l] = math.NaN()
		}
	}
	vals := make([]float64, 0, len(perCluster))
	for _, l := range anndata.SortedKeys(perCluster) {
		vals = append(vals, perCluster[l])
	}
	return perCluster, meanFinite(vals), nil
}

// metricNeighbors returns the k nearest stored neighbours of every cell.
func metricNeighbors(a *anndata.AnnData, k int) (knn, error) {
	if k < 0 {
		return knn{}, fmt.Errorf("negative neighbour count %d", k)
	}
	dist, err := distances(a)
	if err != nil {
		return knn{}, err
	}
	return neighborTable(dist, k)
}

func finiteRow(r []float32) bool {
	for _, x := range r {
		if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
			return false
		}
	}
	return true
}

// cosine64 is the cosine of a and b, 0 when either is zero.
func cosine64(a []float64, b []float32) float64 {
	var ab, aa, bb float64
	for i, x := range a {
		y := float64(b[i])
		ab += x * y
		aa += x * x
		bb += y * y
	}
	if aa == 0 || bb == 0 {
		return 0
	}
	return ab / math.Sqrt(aa*bb)
}

func meanFinite(x []float64) float64 {
	var s float64
	n := 0
	for _, v := range x {
		if !math.IsNaN(v) {
			s += v
			n++
		}
	}
	if n == 0 {
		return math.NaN()
	}
	return s / float64(n)
}
