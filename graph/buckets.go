package graph

// columnBuckets groups the candidate pairs of a chunk of cells by
// candidate: the graph then reads each candidate's gene block once for all
// the chunk's cells that have it, while that block is in the fastest
// cache, instead of once per cell (between two cells that share a
// candidate, the hundreds of other rows each cell reads evict it).
type columnBuckets struct {
	loc []int32 // cell → position in cols while grouping, −1 otherwise
	// cols holds the distinct candidates; bucket u is the pair positions
	// colStart[u] … colStart[u+1]−1, owner[p] the chunk cell of position
	// p, and at[k] the position of the chunk's k-th pair.
	cols     []int32
	colStart []int
	owner    []int32
	at       []int32
}

func newColumnBuckets(n int) columnBuckets {
	loc := make([]int32, n)
	for i := range loc {
		loc[i] = -1
	}
	return columnBuckets{loc: loc}
}

// group buckets pairs, cell q's being pairs[start[q]:start[q+1]]. Buckets
// follow the order in which candidates first appear and hold their pairs
// in cell order; neither order changes a result, since every pair keeps
// its own sums.
func (b *columnBuckets) group(pairs []int32, start []int) {
	b.cols = b.cols[:0]
	b.colStart = b.colStart[:0]
	for _, j := range pairs {
		if b.loc[j] < 0 {
			b.loc[j] = int32(len(b.cols))
			b.cols = append(b.cols, j)
			b.colStart = append(b.colStart, 0)
		}
		b.colStart[b.loc[j]]++
	}
	// Exclusive prefix sums: colStart[u] becomes the first position of
	// bucket u, and after the fill below, its end.
	b.colStart = append(b.colStart, 0)
	sum := 0
	for u, c := range b.colStart {
		b.colStart[u] = sum
		sum += c
	}
	b.owner = grow(b.owner, len(pairs))
	b.at = grow(b.at, len(pairs))
	for q := 0; q+1 < len(start); q++ {
		for k := start[q]; k < start[q+1]; k++ {
			u := b.loc[pairs[k]]
			p := b.colStart[u]
			b.colStart[u]++
			b.owner[p], b.at[k] = int32(q), int32(p)
		}
	}
	// Shift the ends back to starts and clear the map for the next chunk.
	copy(b.colStart[1:], b.colStart[:len(b.colStart)-1])
	b.colStart[0] = 0
	for _, j := range b.cols {
		b.loc[j] = -1
	}
}

// grow returns s resized to n elements, reallocating only when needed.
func grow(s []int32, n int) []int32 {
	if cap(s) < n {
		return make([]int32, n)
	}
	return s[:n]
}
