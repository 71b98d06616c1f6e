package grid

import (
	"math"
	"sort"

	"github.com/velo-rna/velo/internal/parallel"
)

// knnChunk is the number of grid points one goroutine searches at a time.
const knnChunk = 64

// neighbors holds the k nearest cells of every grid point, nearest first:
// point g's neighbours are idx[g*k:(g+1)*k] at distances dist[g*k:(g+1)*k].
type neighbors struct {
	k    int
	idx  []int
	dist []float64
}

// nearestCells finds the k cells nearest to each query point exactly
// (Euclidean, float64, ties broken by the lower cell index, so the result is
// the same as an exhaustive search's). Cells and queries are given as
// separate x and y slices.
//
// Cells are swept in order of their x distance from the query, outwards
// from its position in the x-sorted cells, until that distance alone
// exceeds the k-th best: only a slab of cells around the query is examined.
func nearestCells(cx, cy, qx, qy []float64, k, threads int) neighbors {
	nq, n := len(qx), len(cx)
	byX := make([]int, n)
	for i := range byX {
		byX[i] = i
	}
	sort.SliceStable(byX, func(a, b int) bool { return cx[byX[a]] < cx[byX[b]] })
	sx := make([]float64, n)
	for i, c := range byX {
		sx[i] = cx[c]
	}
	nb := neighbors{k: k, idx: make([]int, nq*k), dist: make([]float64, nq*k)}
	parallel.For(nq, knnChunk, threads, func(_, lo, hi int) {
		h := make(maxHeap, 0, k)
		for q := lo; q < hi; q++ {
			h = h[:0]
			x, y := qx[q], qy[q]
			right := sort.SearchFloat64s(sx, x)
			left := right - 1
			for left >= 0 || right < n {
				var c int
				if right < n && (left < 0 || sx[right]-x <= x-sx[left]) {
					c = byX[right]
					right++
				} else {
					c = byX[left]
					left--
				}
				dx, dy := cx[c]-x, cy[c]-y
				if len(h) == k && dx*dx > h[0].d2 {
					break // every cell left is at least this far in x
				}
				d2 := dx*dx + dy*dy
				if len(h) < k {
					h.push(candidate{d2, c})
				} else if less(candidate{d2, c}, h[0]) {
					h.replaceTop(candidate{d2, c})
				}
			}
			sort.Slice(h, func(a, b int) bool { return less(h[a], h[b]) })
			for j, cand := range h {
				nb.idx[q*k+j] = cand.cell
				nb.dist[q*k+j] = math.Sqrt(cand.d2)
			}
		}
	})
	return nb
}

type candidate struct {
	d2   float64
	cell int
}

func less(a, b candidate) bool {
	return a.d2 < b.d2 || (a.d2 == b.d2 && a.cell < b.cell)
}

// maxHeap keeps the k best candidates with the worst at the root.
type maxHeap []candidate

func (h *maxHeap) push(c candidate) {
	*h = append(*h, c)
	s := *h
	for i := len(s) - 1; i > 0; {
		p := (i - 1) / 2
		if !less(s[p], s[i]) {
			break
		}
		s[p], s[i] = s[i], s[p]
		i = p
	}
}

func (h maxHeap) replaceTop(c candidate) {
	h[0] = c
	for i := 0; ; {
		l, r, top := 2*i+1, 2*i+2, i
		if l < len(h) && less(h[top], h[l]) {
			top = l
		}
		if r < len(h) && less(h[top], h[r]) {
			top = r
		}
		if top == i {
			return
		}
		h[i], h[top] = h[top], h[i]
		i = top
	}
}
