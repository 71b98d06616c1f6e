package array

import (
	"fmt"
	"unsafe"

	"github.com/velo-rna/velo/internal/parallel"
)

// KeepCols keeps the given strictly increasing columns of every matrix of
// ms, in place: entries move towards the front of the arrays they are in,
// so filtering a large count matrix makes no second copy of it. A matrix
// given twice is subset once; matrices sharing their Indptr and Indices
// arrays (X and a layer with the same sparsity pattern, as the h5ad reader
// and the pipeline make them) compact the shared arrays once and keep
// sharing them. Matrices overlapping in any other way get their own copies
// first, so compacting one never disturbs another.
func KeepCols(cols []int, ms ...*CSR) {
	if len(ms) == 0 {
		return
	}
	newCol := make([]int32, ms[0].Cols)
	for j := range newCol {
		newCol[j] = -1
	}
	for k, j := range cols {
		if j < 0 || j >= len(newCol) || (k > 0 && cols[k-1] >= j) {
			panic(fmt.Sprintf("array: KeepCols needs strictly increasing columns in [0, %d)", len(newCol)))
		}
		newCol[j] = int32(k)
	}
	var distinct []*CSR
	seen := map[*CSR]bool{}
	for _, m := range ms {
		if m.Cols != len(newCol) {
			panic(fmt.Sprintf("array: KeepCols on matrices of %d and %d columns", len(newCol), m.Cols))
		}
		if !seen[m] {
			seen[m] = true
			distinct = append(distinct, m)
		}
	}
	for _, group := range patternGroups(distinct) {
		compactColumns(group, newCol, len(cols))
	}
}

// patternGroups groups distinct matrices by sparsity pattern: matrices
// whose Indptr and Indices are the same arrays share a group. A matrix
// whose arrays overlap another's in any other way (a shared Data array, or
// Indices shared under a different Indptr) is given fresh copies first, so
// compacting one matrix never disturbs another.
func patternGroups(ms []*CSR) [][]*CSR {
	type key struct{ ptr, idx unsafe.Pointer }
	first := func(m *CSR) key {
		var k key
		if len(m.Indptr) > 0 {
			k.ptr = unsafe.Pointer(unsafe.SliceData(m.Indptr))
		}
		if len(m.Indices) > 0 {
			k.idx = unsafe.Pointer(unsafe.SliceData(m.Indices))
		}
		return k
	}
	var groups [][]*CSR
	byKey := map[key]int{}
	ptrOwner := map[unsafe.Pointer]key{}
	idxOwner := map[unsafe.Pointer]key{}
	data := map[unsafe.Pointer]bool{}
	for _, m := range ms {
		k := first(m)
		conflict := false
		if k.ptr != nil {
			if o, ok := ptrOwner[k.ptr]; ok && o != k {
				conflict = true
			}
		}
		if k.idx != nil {
			if o, ok := idxOwner[k.idx]; ok && o != k {
				conflict = true
			}
		}
		if len(m.Data) > 0 && data[unsafe.Pointer(unsafe.SliceData(m.Data))] {
			conflict = true
		}
		if conflict {
			c := m.Clone()
			*m = *c
			k = first(m)
		}
		if len(m.Data) > 0 {
			data[unsafe.Pointer(unsafe.SliceData(m.Data))] = true
		}
		if k.ptr != nil {
			ptrOwner[k.ptr] = k
		}
		if k.idx != nil {
			idxOwner[k.idx] = k
		}
		g, ok := byKey[k]
		if !ok || k.ptr == nil || k.idx == nil {
			g = len(groups)
			byKey[k] = g
			groups = append(groups, nil)
		}
		groups[g] = append(groups[g], m)
	}
	return groups
}

// compactColumns keeps, in every matrix of a group sharing one sparsity
// pattern, the columns with newCol[j] ≥ 0, renumbered to newCol[j]
// (increasing in j, so rows stay sorted), in place. Row chunks compact in
// parallel to the start of their own stretch of the arrays, then move down
// to their final place in chunk order (moves only go to lower positions, so
// none overwrites data still to be read). When more than a quarter of the
// entries go, the arrays are copied to their new size so the memory of the
// removed entries can be released.
func compactColumns(group []*CSR, newCol []int32, cols int) {
	m := group[0]
	n := m.Rows
	counts := make([]int64, n+1) // counts[i+1]: entries row i keeps
	chunkKept := make([]int64, parallel.Chunks(n, subsetChunk))
	parallel.For(n, subsetChunk, 0, func(c, lo, hi int) {
		w := m.Indptr[lo]
		for i := lo; i < hi; i++ {
			rowStart := w
			for p := m.Indptr[i]; p < m.Indptr[i+1]; p++ {
				nj := newCol[m.Indices[p]]
				if nj < 0 {
					continue
				}
				for _, t := range group[1:] {
					t.Data[w] = t.Data[p]
				}
				m.Indices[w], m.Data[w] = nj, m.Data[p]
				w++
			}
			counts[i+1] = w - rowStart
		}
		chunkKept[c] = w - m.Indptr[lo]
	})
	var pos int64
	for c, kept := range chunkKept {
		from := m.Indptr[c*subsetChunk]
		copy(m.Indices[pos:pos+kept], m.Indices[from:from+kept])
		for _, t := range group {
			copy(t.Data[pos:pos+kept], t.Data[from:from+kept])
		}
		pos += kept
	}
	for i := 0; i < n; i++ {
		counts[i+1] += counts[i]
	}
	copy(m.Indptr, counts)
	nnz := counts[n]
	indices := m.Indices[:nnz]
	if nnz < int64(cap(m.Indices))*3/4 {
		indices = append([]int32(nil), indices...)
	}
	for _, t := range group {
		data := t.Data[:nnz]
		if nnz < int64(cap(t.Data))*3/4 {
			data = append([]float32(nil), data...)
		}
		t.Cols, t.Indices, t.Data = cols, indices, data
	}
}

// subsetChunk is the number of rows one goroutine subsets at a time.
const subsetChunk = 512
