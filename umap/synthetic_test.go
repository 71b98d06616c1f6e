package umap

import (
	"math"
	"slices"

	"github.com/velo-rna/velo/array"
)

// Synthetic inputs for tests and benchmarks: points in three dimensions, their
// exact k-nearest-neighbour lists and the fuzzy union graph built from them as
// scanpy's neighbours step does (spec §A8), in float64.

// blobs returns n points in c Gaussian clusters of sd 1 whose centres lie
// on a grid of the given spacing, and each point's cluster.
func blobs(n, c int, spacing float64, seed uint64) ([][3]float64, []int) {
	pts := make([][3]float64, n)
	label := make([]int, n)
	for i := range pts {
		label[i] = i % c
		l := label[i]
		centre := [3]float64{spacing * float64(l%3), spacing * float64(l/3%3), spacing * float64(l/9)}
		r := newStream(seed, 100, uint64(i), 0)
		for d := range 3 {
			pts[i][d] = centre[d] + r.normal()
		}
	}
	return pts, label
}

// trajectory returns n points along a branching path in three dimensions
// (a stem that splits into two arms), with Gaussian noise of sd 0.3 across
// it: one connected manifold, like a differentiation trajectory.
func trajectory(n int, seed uint64) [][3]float64 {
	pts := make([][3]float64, n)
	for i := range pts {
		r := newStream(seed, 101, uint64(i), 0)
		s := 10 * r.float64()
		var p [3]float64
		switch i % 3 {
		case 0: // stem
			p = [3]float64{s, math.Sin(s / 3), 0}
		case 1: // upper arm
			p = [3]float64{10 + s*0.7, 1 + s*0.7, s * 0.2}
		default: // lower arm
			p = [3]float64{10 + s*0.7, -s * 0.7, -s * 0.2}
		}
		for d := range 3 {
			pts[i][d] = p[d] + 0.3*r.normal()
		}
	}
	return pts
}

// graphOf returns the fuzzy graph of pts with k neighbours (self included).
func graphOf(pts [][3]float64, k int) *array.CSR {
	idx, dist := knn(pts, k)
	return fuzzyGraph(idx, dist)
}

// knn returns, for every point, its k nearest points (itself first) and
// their distances, by exact search over a uniform grid of cells.
func knn(pts [][3]float64, k int) ([][]int32, [][]float64) {
	n := len(pts)
	lo, hi := pts[0], pts[0]
	for _, p := range pts {
		for d := range 3 {
			lo[d], hi[d] = min(lo[d], p[d]), max(hi[d], p[d])
		}
	}
	vol := 1.0
	for d := range 3 {
		vol *= hi[d] - lo[d] + 1e-9
	}
	// Cells of side h holding about k points each, adjusted for data that
	// fill only part of their bounding box.
	h := math.Cbrt(vol * float64(k) / float64(n))
	var dims [3]int
	cellOf := func(p [3]float64) [3]int {
		var c [3]int
		for d := range 3 {
			c[d] = min(int((p[d]-lo[d])/h), dims[d]-1)
		}
		return c
	}
	key := func(c [3]int) int { return (c[2]*dims[1]+c[1])*dims[0] + c[0] }
	var cells map[int][]int32
	for iter := 0; ; iter++ {
		for d := range 3 {
			dims[d] = int((hi[d]-lo[d])/h) + 1
		}
		cells = map[int][]int32{}
		for i, p := range pts {
			kk := key(cellOf(p))
			cells[kk] = append(cells[kk], int32(i))
		}
		mean := float64(n) / float64(len(cells))
		if iter == 4 || (mean > float64(k)/3 && mean < 3*float64(k)) {
			break
		}
		h *= math.Sqrt(float64(k) / mean)
	}
	idx := make([][]int32, n)
	dist := make([][]float64, n)
	type cand struct {
		d float64
		j int32
	}
	less := func(a, b cand) bool { return a.d < b.d || (a.d == b.d && a.j < b.j) }
	cs := make([]cand, 0, k) // the k best so far, sorted
	for i, p := range pts {
		c := cellOf(p)
		for ring := 1; ; ring++ {
			cs = cs[:0]
			for x := c[0] - ring; x <= c[0]+ring; x++ {
				for y := c[1] - ring; y <= c[1]+ring; y++ {
					for z := c[2] - ring; z <= c[2]+ring; z++ {
						if x < 0 || y < 0 || z < 0 || x >= dims[0] || y >= dims[1] || z >= dims[2] {
							continue
						}
						for _, j := range cells[key([3]int{x, y, z})] {
							q := pts[j]
							dx, dy, dz := p[0]-q[0], p[1]-q[1], p[2]-q[2]
							cd := cand{math.Sqrt(dx*dx + dy*dy + dz*dz), j}
							if len(cs) == k && !less(cd, cs[k-1]) {
								continue
							}
							if len(cs) < k {
								cs = append(cs, cd)
							} else {
								cs[k-1] = cd
							}
							for q := len(cs) - 1; q > 0 && less(cs[q], cs[q-1]); q-- {
								cs[q], cs[q-1] = cs[q-1], cs[q]
							}
						}
					}
				}
			}
			// Points outside the searched cube are at least ring·h away.
			if len(cs) == k && cs[k-1].d <= float64(ring)*h || ring > max(dims[0], dims[1], dims[2]) {
				break
			}
		}
		// Self first, as scanpy stores it.
		for q := range cs[:k] {
			if cs[q].j == int32(i) {
				cs[0], cs[q] = cs[q], cs[0]
			}
		}
		for _, cd := range cs[:k] {
			idx[i] = append(idx[i], cd.j)
			dist[i] = append(dist[i], cd.d)
		}
	}
	return idx, dist
}

// fuzzyGraph turns kNN lists (self first) into the symmetric fuzzy union
// graph of umap's fuzzy_simplicial_set with local_connectivity 1 (§A8).
func fuzzyGraph(idx [][]int32, dist [][]float64) *array.CSR {
	n := len(idx)
	k := len(idx[0])
	target := math.Log2(float64(k))
	type entry struct {
		j int32
		w float64
	}
	rows := make([][]entry, n)
	for i := range idx {
		rho := 0.0
		for _, d := range dist[i] {
			if d > 0 {
				rho = d
				break
			}
		}
		lo, hi, mid := 0.0, math.Inf(1), 1.0
		for range 64 {
			psum := 0.0
			for _, d := range dist[i][1:] {
				if d-rho > 0 {
					psum += math.Exp(-(d - rho) / mid)
				} else {
					psum++
				}
			}
			if math.Abs(psum-target) < 1e-5 {
				break
			}
			if psum > target {
				hi = mid
				mid = (lo + hi) / 2
			} else {
				lo = mid
				if math.IsInf(hi, 1) {
					mid *= 2
				} else {
					mid = (lo + hi) / 2
				}
			}
		}
		for q, j := range idx[i] {
			if int(j) == i {
				continue
			}
			w := 1.0
			if d := dist[i][q] - rho; d > 0 {
				w = math.Exp(-d / mid)
			}
			rows[i] = append(rows[i], entry{j, w})
		}
	}
	// C = A + Aᵀ − A∘Aᵀ, merging row i of A with row i of Aᵀ.
	a := &array.CSR{Rows: n, Cols: n, Indptr: make([]int64, n+1)}
	for i, r := range rows {
		slices.SortFunc(r, func(x, y entry) int { return int(x.j) - int(y.j) })
		for _, e := range r {
			a.Indices = append(a.Indices, e.j)
			a.Data = append(a.Data, float32(e.w))
		}
		a.Indptr[i+1] = int64(len(a.Indices))
	}
	at := a.Transpose()
	m := &array.CSR{Rows: n, Cols: n, Indptr: make([]int64, n+1)}
	for i := 0; i < n; i++ {
		ai, av := a.RowView(i)
		bi, bv := at.RowView(i)
		p, q := 0, 0
		for p < len(ai) || q < len(bi) {
			var j int32
			var x, y float32
			switch {
			case q == len(bi) || (p < len(ai) && ai[p] < bi[q]):
				j, x = ai[p], av[p]
				p++
			case p == len(ai) || bi[q] < ai[p]:
				j, y = bi[q], bv[q]
				q++
			default:
				j, x, y = ai[p], av[p], bv[q]
				p++
				q++
			}
			m.Indices = append(m.Indices, j)
			m.Data = append(m.Data, x+y-x*y)
		}
		m.Indptr[i+1] = int64(len(m.Indices))
	}
	return m
}
