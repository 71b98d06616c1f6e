package mtx

import (
	"cmp"
	"slices"

	"github.com/velo-rna/velo/array"
	"github.com/velo-rna/velo/internal/parallel"
)

// rowChunk is the number of output rows per parallel task when sorting and
// splitting; boundaries depend only on the matrix, never on threads.
const rowChunk = 2048

// assemble turns parsed blocks into one CSR matrix per value column.
//
// Entries are bucketed by row in file order (a stable counting sort), each
// row is sorted by column keeping file order among equal columns, and
// duplicates are summed in float64 in that order before rounding once to
// float32. Explicit zeros are dropped per value column.
func assemble(blocks []*block, rows, cols, nv int, symmetric bool, threads int) []*array.CSR {
	indptr := make([]int64, rows+1)
	for _, b := range blocks {
		for k, r := range b.rows {
			indptr[r+1]++
			if symmetric && r != b.cols[k] {
				indptr[b.cols[k]+1]++
			}
		}
	}
	for i := 0; i < rows; i++ {
		indptr[i+1] += indptr[i]
	}
	total := indptr[rows]
	idx := make([]int32, total)
	val := make([]float32, total*int64(nv))
	next := append([]int64(nil), indptr[:rows]...)
	put := func(r, c int32, v []float32) {
		p := next[r]
		idx[p] = c
		copy(val[p*int64(nv):], v)
		next[r]++
	}
	for _, b := range blocks {
		for k, r := range b.rows {
			c, v := b.cols[k], b.vals[k*nv:(k+1)*nv]
			put(r, c, v)
			if symmetric && r != c {
				put(c, r, v)
			}
		}
		b.rows, b.cols, b.vals = nil, nil, nil
	}

	// Sort and merge each row in place; length[i] is the merged length.
	length := make([]int64, rows)
	parallel.For(rows, rowChunk, threads, func(_, lo, hi int) {
		var scratch rowScratch
		for i := lo; i < hi; i++ {
			a, b := indptr[i], indptr[i+1]
			length[i] = scratch.sortMerge(idx[a:b], val[a*int64(nv):b*int64(nv)], nv)
		}
	})

	out := make([]*array.CSR, nv)
	for k := range out {
		out[k] = split(idx, val, indptr, length, rows, cols, nv, k, threads)
	}
	return out
}

// split extracts value column k, dropping zeros.
func split(idx []int32, val []float32, indptr, length []int64, rows, cols, nv, k, threads int) *array.CSR {
	m := &array.CSR{Rows: rows, Cols: cols, Indptr: make([]int64, rows+1)}
	parallel.For(rows, rowChunk, threads, func(_, lo, hi int) {
		for i := lo; i < hi; i++ {
			a := indptr[i]
			var n int64
			for p := a; p < a+length[i]; p++ {
				if val[p*int64(nv)+int64(k)] != 0 {
					n++
				}
			}
			m.Indptr[i+1] = n
		}
	})
	for i := 0; i < rows; i++ {
		m.Indptr[i+1] += m.Indptr[i]
	}
	m.Indices = make([]int32, m.Indptr[rows])
	m.Data = make([]float32, m.Indptr[rows])
	parallel.For(rows, rowChunk, threads, func(_, lo, hi int) {
		for i := lo; i < hi; i++ {
			a, q := indptr[i], m.Indptr[i]
			for p := a; p < a+length[i]; p++ {
				if v := val[p*int64(nv)+int64(k)]; v != 0 {
					m.Indices[q], m.Data[q] = idx[p], v
					q++
				}
			}
		}
	})
	return m
}

// rowScratch holds per-goroutine buffers for sorting unsorted rows.
type rowScratch struct {
	perm []int32
	idx  []int32
	val  []float32
	sum  []float64
}

// sortMerge sorts one row by column (stably), sums duplicated columns and
// returns the merged length. Rows that are already sorted without
// duplicates, as counters write them, are left untouched.
func (s *rowScratch) sortMerge(idx []int32, val []float32, nv int) int64 {
	n := len(idx)
	sorted, unique := true, true
	for p := 1; p < n; p++ {
		if idx[p] < idx[p-1] {
			sorted = false
			break
		}
		if idx[p] == idx[p-1] {
			unique = false
		}
	}
	if sorted && unique {
		return int64(n)
	}
	if !sorted {
		s.sortRow(idx, val, nv)
	}
	if cap(s.sum) < nv {
		s.sum = make([]float64, nv)
	}
	sum := s.sum[:nv]
	w := 0
	for p := 0; p < n; {
		q := p
		for k := range sum {
			sum[k] = 0
		}
		for ; q < n && idx[q] == idx[p]; q++ {
			for k := range sum {
				sum[k] += float64(val[q*nv+k])
			}
		}
		idx[w] = idx[p]
		for k := range sum {
			val[w*nv+k] = float32(sum[k])
		}
		w++
		p = q
	}
	return int64(w)
}

// sortRow stably sorts entries by column index through a permutation, so
// duplicates keep their file order and sums are reproducible.
func (s *rowScratch) sortRow(idx []int32, val []float32, nv int) {
	n := len(idx)
	s.perm = growInt32(s.perm, n)
	for p := range s.perm {
		s.perm[p] = int32(p)
	}
	stableSortBy(s.perm, idx)
	s.idx = growInt32(s.idx, n)
	copy(s.idx, idx)
	if cap(s.val) < len(val) {
		s.val = make([]float32, len(val))
	}
	s.val = s.val[:len(val)]
	copy(s.val, val)
	for p, from := range s.perm {
		idx[p] = s.idx[from]
		copy(val[p*nv:(p+1)*nv], s.val[int(from)*nv:(int(from)+1)*nv])
	}
}

func growInt32(x []int32, n int) []int32 {
	if cap(x) < n {
		return make([]int32, n)
	}
	return x[:n]
}

// stableSortBy sorts perm by key[perm[i]], ties by perm value, which makes
// the sort stable because perm starts as the identity.
func stableSortBy(perm []int32, key []int32) {
	slices.SortFunc(perm, func(a, b int32) int {
		if c := cmp.Compare(key[a], key[b]); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})
}
