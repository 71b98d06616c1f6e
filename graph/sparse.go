package graph

import (
	"github.com/velo-rna/velo/array"
	"github.com/velo-rna/velo/internal/parallel"
)

const mulChunk = 1024

// mulVec sets dst = m·x, rows in parallel (each row's sum has a fixed
// order, so the result does not depend on the thread count). Four partial
// sums per row keep the additions from waiting on each other.
func mulVec(m *array.CSR, x, dst []float64, threads int) {
	parallel.For(m.Rows, mulChunk, threads, func(_, lo, hi int) {
		for i := lo; i < hi; i++ {
			idx, val := m.RowView(i)
			val = val[:len(idx)]
			var s0, s1, s2, s3 float64
			k := 0
			for ; k+4 <= len(idx); k += 4 {
				j, v := idx[k:k+4:k+4], val[k:k+4:k+4]
				s0 += float64(v[0]) * x[j[0]]
				s1 += float64(v[1]) * x[j[1]]
				s2 += float64(v[2]) * x[j[2]]
				s3 += float64(v[3]) * x[j[3]]
			}
			for ; k < len(idx); k++ {
				s0 += float64(val[k]) * x[idx[k]]
			}
			dst[i] = (s0 + s1) + (s2 + s3)
		}
	})
}

// binaryWeights returns scVelo's get_connectivities weights for a graph:
// every stored entry greater than zero becomes 1, the diagonal is 1, and
// rows are normalised to sum to 1 (so W·x averages x over the cell and its
// neighbours). Explicit zeros (duplicate cells in a distance graph) do not
// count, as scVelo tests "> 0".
func binaryWeights(g *array.CSR) *array.CSR {
	n := g.Rows
	w := &array.CSR{Rows: n, Cols: g.Cols, Indptr: make([]int64, n+1),
		Indices: make([]int32, 0, len(g.Indices)+n), Data: make([]float32, 0, len(g.Indices)+n)}
	for i := 0; i < n; i++ {
		idx, val := g.RowView(i)
		start := len(w.Indices)
		self := false
		for k, j := range idx {
			if !self && int(j) >= i {
				w.Indices = append(w.Indices, int32(i))
				self = true
				if int(j) == i {
					continue
				}
			}
			if int(j) != i && val[k] > 0 {
				w.Indices = append(w.Indices, j)
			}
		}
		if !self {
			w.Indices = append(w.Indices, int32(i))
		}
		deg := len(w.Indices) - start
		for k := 0; k < deg; k++ {
			w.Data = append(w.Data, float32(1/float64(deg)))
		}
		w.Indptr[i+1] = int64(len(w.Indices))
	}
	return w
}

// weakComponents labels the weakly connected components of a graph's
// stored pattern (scipy's connected_components default), numbering them in
// order of their smallest cell.
func weakComponents(g *array.CSR) (labels []int, count int) {
	n := g.Rows
	parent := make([]int, n)
	for i := range parent {
		parent[i] = i
	}
	find := func(x int) int {
		for parent[x] != x {
			parent[x] = parent[parent[x]]
			x = parent[x]
		}
		return x
	}
	for i := 0; i < n; i++ {
		idx, _ := g.RowView(i)
		for _, j := range idx {
			a, b := find(i), find(int(j))
			if a != b {
				if a < b {
					parent[b] = a
				} else {
					parent[a] = b
				}
			}
		}
	}
	labels = make([]int, n)
	id := map[int]int{}
	for i := 0; i < n; i++ {
		r := find(i)
		l, ok := id[r]
		if !ok {
			l = len(id)
			id[r] = l
		}
		labels[i] = l
	}
	return labels, len(id)
}

// packRows moves together the rows of t, row i having been written with
// count[i] entries from start[i] on (start[i+1] − start[i] being only a
// bound), sets Indptr and returns the number of entries; Indices and Data
// keep their length, for callers that reuse the storage.
func packRows(t *array.CSR, start []int64, count []int32) int64 {
	var nnz int64
	for i := range count {
		s, c := start[i], int64(count[i])
		if s != nnz {
			copy(t.Indices[nnz:nnz+c], t.Indices[s:s+c])
			copy(t.Data[nnz:nnz+c], t.Data[s:s+c])
		}
		nnz += c
		t.Indptr[i+1] = nnz
	}
	return nnz
}
