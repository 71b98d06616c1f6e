package umap

import "slices"

// coarsen merges the vertices of g in pairs along their heaviest edges
// (greedy heavy-edge matching in vertex order; a vertex whose neighbours are
// all taken stays alone) and returns the graph of the groups and each
// vertex's group. Weights between groups are sums of the weights between
// their members, including the weights inside a group as a self-loop, so
// that a group's weighted degree is the sum of its members' and the coarse
// normalised adjacency is the Galerkin projection of the fine one.
func (g *graph) coarsen() (*graph, []int32) {
	agg := make([]int32, g.n)
	for i := range agg {
		agg[i] = -1
	}
	var members [][2]int32
	for i := 0; i < g.n; i++ {
		if agg[i] >= 0 {
			continue
		}
		best, bestW := int32(-1), float32(0)
		for e := g.indptr[i]; e < g.indptr[i+1]; e++ {
			j, w := g.indices[e], g.weights[e]
			if int(j) != i && agg[j] < 0 && w > bestW {
				best, bestW = j, w
			}
		}
		c := int32(len(members))
		agg[i] = c
		if best >= 0 {
			agg[best] = c
		}
		members = append(members, [2]int32{int32(i), best})
	}

	nc := len(members)
	cg := &graph{n: nc, indptr: make([]int64, nc+1), maxW: g.maxW}
	// acc[c] sums the weights from the current group to group c; weights are
	// positive, so 0 marks a group not seen yet. Two passes: sizes, then
	// entries, so that the coarse arrays are allocated once at their size.
	acc := make([]float64, nc)
	var cols []int32
	row := func(m [2]int32) []int32 {
		cols = cols[:0]
		for _, i := range m {
			if i < 0 {
				continue
			}
			for e := g.indptr[i]; e < g.indptr[i+1]; e++ {
				cj := agg[g.indices[e]]
				if acc[cj] == 0 {
					cols = append(cols, cj)
				}
				acc[cj] += float64(g.weights[e])
			}
		}
		return cols
	}
	for c, m := range members {
		for _, cj := range row(m) {
			acc[cj] = 0
		}
		cg.indptr[c+1] = cg.indptr[c] + int64(len(cols))
	}
	cg.indices = make([]int32, 0, cg.indptr[nc])
	cg.weights = make([]float32, 0, cg.indptr[nc])
	for _, m := range members {
		slices.Sort(row(m))
		for _, cj := range cols {
			cg.indices = append(cg.indices, cj)
			cg.weights = append(cg.weights, float32(acc[cj]))
			acc[cj] = 0
		}
	}
	return cg, agg
}
