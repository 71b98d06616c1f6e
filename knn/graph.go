package knn

import (
	"github.com/velo-rna/velo/array"
)

// DistanceGraph returns the neighbour distances as scanpy 1.9 stores them in
// obsp['distances']: row i holds the distances to i's neighbours other than
// itself, column indices sorted, and zero distances (duplicates of the
// point) left out, as scipy's eliminate_zeros does. Rows therefore have K−1
// entries unless the point has duplicates.
func DistanceGraph(r *Result) *array.CSR {
	g := &array.CSR{Rows: r.N, Cols: r.N, Indptr: make([]int64, r.N+1)}
	g.Indices = make([]int32, 0, r.N*(r.K-1))
	g.Data = make([]float32, 0, r.N*(r.K-1))
	for i := 0; i < r.N; i++ {
		idx, dist := r.Row(i)
		for t, j := range idx {
			if int(j) != i && dist[t] != 0 {
				g.Indices = append(g.Indices, j)
				g.Data = append(g.Data, dist[t])
			}
		}
		g.Indptr[i+1] = int64(len(g.Indices))
		sortRow(g.Indices[g.Indptr[i]:], g.Data[g.Indptr[i]:])
	}
	return g
}

// sortRow sorts a short CSR row by column index (insertion sort: rows hold
// about K entries).
func sortRow(idx []int32, val []float32) {
	for a := 1; a < len(idx); a++ {
		j, v := idx[a], val[a]
		b := a
		for ; b > 0 && idx[b-1] > j; b-- {
			idx[b], val[b] = idx[b-1], val[b-1]
		}
		idx[b], val[b] = j, v
	}
}
