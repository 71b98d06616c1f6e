package graph

import (
	"fmt"
	"math/bits"
	"slices"

	"github.com/velo-rna/velo/anndata"
	"github.com/velo-rna/velo/array"
)

// knn is a fixed-width neighbour table: row i's neighbours are
// idx[i*k : (i+1)*k].
type knn struct {
	idx []int32
	k   int
}

func (t knn) row(i int) []int32 { return t.idx[i*t.k : (i+1)*t.k] }

// distances returns obsp["distances"] after checking its shape.
func distances(a *anndata.AnnData) (*array.CSR, error) {
	d, ok := a.Obsp[distancesKey]
	if !ok || d == nil {
		return nil, fmt.Errorf("obsp %q is missing: compute neighbours first", distancesKey)
	}
	n := a.NObs()
	if d.Rows != n || d.Cols != n {
		return nil, fmt.Errorf("obsp %q is %d×%d, want %d×%d", distancesKey, d.Rows, d.Cols, n, n)
	}
	return d, nil
}

// neighborTable mirrors scVelo's get_indices: every stored distance counts
// (scVelo adds 1e-6 so that explicit zeros of duplicate cells count), the
// width m is the smallest row count (capped at k when k > 0), and rows with
// more entries keep their m smallest distances, in stored order. Ties are
// broken by stored position, where numpy's unstable argsort is arbitrary.
func neighborTable(d *array.CSR, k int) (knn, error) {
	n := d.Rows
	m := -1
	for i := 0; i < n; i++ {
		c := int(d.Indptr[i+1] - d.Indptr[i])
		if m < 0 || c < m {
			m = c
		}
	}
	if k > 0 && k < m {
		m = k
	}
	if m <= 0 {
		return knn{}, fmt.Errorf("obsp %q has a cell without stored neighbours", distancesKey)
	}
	t := knn{idx: make([]int32, n*m), k: m}
	order := make([]int, 0, 64)
	for i := 0; i < n; i++ {
		idx, val := d.RowView(i)
		dst := t.row(i)
		if len(idx) == m {
			copy(dst, idx)
			continue
		}
		order = order[:0]
		for p := range idx {
			order = append(order, p)
		}
		slices.SortStableFunc(order, func(x, y int) int {
			switch {
			case val[x] < val[y]:
				return -1
			case val[x] > val[y]:
				return 1
			}
			return 0
		})
		kept := order[:m]
		slices.Sort(kept)
		for q, p := range kept {
			dst[q] = idx[p]
		}
	}
	return t, nil
}

// checkPositiveNeighbors reports the error scVelo's velocity_graph raises
// when some cell has no neighbour at a positive distance.
func checkPositiveNeighbors(d *array.CSR) error {
	for i := 0; i < d.Rows; i++ {
		_, val := d.RowView(i)
		ok := false
		for _, v := range val {
			if v > 0 {
				ok = true
				break
			}
		}
		if !ok {
			return fmt.Errorf("obsp %q: cell %d has no neighbour at a positive distance (duplicate cells?); recompute neighbours", distancesKey, i)
		}
	}
	return nil
}

// candidateSet collects the cells within depth hops of cell i in the
// neighbour table ({i} ∪ N(i) ∪ N(N(i)) ∪ … as scVelo's
// get_iterative_indices), sorted ascending, into dst.
//
// Membership is tracked in a bitset of all cells. When the bitset is small
// compared with the set, reading it word by word yields the cells in order
// (and clears it) faster than sorting; otherwise the set is sorted.
func candidateSet(dst []int32, t knn, i int, depth int, set []uint64) []int32 {
	dst = append(dst[:0], int32(i))
	set[i>>6] |= 1 << (i & 63)
	lo := 0
	for r := 0; r < depth; r++ {
		hi := len(dst)
		for _, x := range dst[lo:hi] {
			for _, y := range t.row(int(x)) {
				w, b := y>>6, uint64(1)<<(y&63)
				if set[w]&b == 0 {
					set[w] |= b
					dst = append(dst, y)
				}
			}
		}
		lo = hi
	}
	if len(set) > 8*len(dst) {
		for _, c := range dst {
			set[c>>6] = 0
		}
		slices.Sort(dst)
		return dst
	}
	dst = dst[:0]
	for w, word := range set {
		if word == 0 {
			continue
		}
		set[w] = 0
		for word != 0 {
			dst = append(dst, int32(w<<6+bits.TrailingZeros64(word)))
			word &= word - 1
		}
	}
	return dst
}
