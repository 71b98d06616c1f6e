package graph

import "github.com/velo-rna/velo/anndata"

// localityOrder returns the cells in breadth-first order over the neighbour
// table (from cell 0, then from the lowest cell not yet reached). Cells
// processed one after another then share most of their neighbours, so the
// gene rows they read stay in cache instead of being fetched from memory
// once per neighbour, which is what made the per-cell steps slower than
// linear on large data. The order never changes a result: every cell's
// output is written to its own place.
func localityOrder(t knn, n int) []int32 {
	order := make([]int32, 0, n)
	seen := make([]uint64, (n+63)/64)
	for s := 0; s < n; s++ {
		if seen[s>>6]&(1<<(s&63)) != 0 {
			continue
		}
		seen[s>>6] |= 1 << (s & 63)
		order = append(order, int32(s))
		for h := len(order) - 1; h < len(order); h++ {
			for _, j := range t.row(int(order[h])) {
				if w, b := j>>6, uint64(1)<<(j&63); seen[w]&b == 0 {
					seen[w] |= b
					order = append(order, j)
				}
			}
		}
	}
	return order
}

// cellOrder is the locality order over obsp distances, or the cells in
// index order when a has no usable neighbour graph.
func cellOrder(a *anndata.AnnData) []int32 {
	n := a.NObs()
	if dist, err := distances(a); err == nil {
		if t, err := neighborTable(dist, 0); err == nil {
			return localityOrder(t, n)
		}
	}
	order := make([]int32, n)
	for i := range order {
		order[i] = int32(i)
	}
	return order
}
