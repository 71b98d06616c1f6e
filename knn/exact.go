package knn

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sort"

	"github.com/velo-rna/velo/array"
	"github.com/velo-rna/velo/internal/parallel"
)

// queryChunk is the number of query points one goroutine handles at a time.
const queryChunk = 64

// Result holds the k nearest neighbours of each of N points, nearest first.
// Point i's neighbours are Indices[i*K:(i+1)*K] at Distances[i*K:(i+1)*K];
// the first is the point itself (distance 0), even when duplicates of it
// exist. Among neighbours at the same distance the lower index comes first.
type Result struct {
	N, K      int
	Indices   []int32
	Distances []float32
}

// Row returns the neighbour indices and distances of point i, aliasing the
// result's storage.
func (r *Result) Row(i int) ([]int32, []float32) {
	return r.Indices[i*r.K : (i+1)*r.K], r.Distances[i*r.K : (i+1)*r.K]
}

// Exact returns the k nearest neighbours (the point itself included) of
// every row of data under the Euclidean distance. threads ≤ 0 means
// GOMAXPROCS; the result is identical for any number of threads.
//
// The search sorts the points along their highest-variance coordinate and
// scans outwards from each query, stopping a direction once the gap along
// that coordinate alone exceeds the current k-th distance, and skipping a
// point as soon as its four highest-variance coordinates alone put it
// beyond that distance. Both cut-offs are exact bounds, so the answer
// equals brute force; on PCA scores (variance concentrated in the first
// components) they skip most of the work.
func Exact(ctx context.Context, data *array.Dense, k, threads int) (*Result, error) {
	n := data.Rows
	if err := checkInput(data, k); err != nil {
		return nil, err
	}
	s := newSweep(data)
	res := &Result{N: n, K: k, Indices: make([]int32, n*k), Distances: make([]float32, n*k)}
	parallel.For(n, queryChunk, threads, func(_, lo, hi int) {
		if ctx.Err() != nil {
			return
		}
		h := make(nbHeap, 0, k)
		// Queries are taken in sweep order so consecutive searches scan
		// overlapping stretches of memory; each result depends only on
		// its query, so the order does not change any output.
		for r := lo; r < hi; r++ {
			i := int(s.id[r])
			h = s.search(h[:0], i, k)
			idx, dist := res.Row(i)
			for t, c := range h {
				idx[t] = c.j
				dist[t] = float32Distance(c.d2)
			}
		}
	})
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("knn: %w", err)
	}
	return res, nil
}

// float32Distance converts an exact squared distance into the distance
// sklearn reports for float32 data: it rounds the squared distance to
// float32 and takes a float32 square root (a float64 square root rounded to
// float32 is the correctly rounded float32 square root).
func float32Distance(d2 float64) float32 {
	return float32(math.Sqrt(float64(float32(d2))))
}

// sweep holds the points with coordinates permuted into decreasing
// variance and rows sorted along the first (highest-variance) coordinate.
// The four leading coordinates of every point sit in one compact array and
// the others in a second one: most candidates are rejected on the leading
// four alone, so the scan streams through 16 bytes per point instead of the
// whole row. Coordinates stay float32 (the input precision, halving memory
// traffic); differences, squares and sums are formed in float64.
type sweep struct {
	rest int       // coordinates beyond the leading four
	head []float32 // 4 per point (zero-padded below 4 dimensions); head[4r] is the sweep coordinate
	tail []float32 // rest per point
	id   []int32   // id[r] = original index of the point at position r
	pos  []int     // pos[i] = sorted position of point i
}

func newSweep(data *array.Dense) *sweep {
	n, d := data.Rows, data.Cols
	dims := varianceOrder(data)
	lead := dims[0]
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool {
		return data.At(order[a], lead) < data.At(order[b], lead)
	})
	rest := max(0, d-4)
	s := &sweep{rest: rest, head: make([]float32, 4*n), tail: make([]float32, rest*n),
		id: make([]int32, n), pos: make([]int, n)}
	for r, i := range order {
		s.id[r] = int32(i)
		s.pos[i] = r
		src := data.Row(i)
		for c, j := range dims {
			if c < 4 {
				s.head[4*r+c] = src[j]
			} else {
				s.tail[rest*r+c-4] = src[j]
			}
		}
	}
	return s
}

// varianceOrder returns the column indices sorted by decreasing variance
// (ties by index).
func varianceOrder(data *array.Dense) []int {
	n, d := data.Rows, data.Cols
	mean := make([]float64, d)
	for i := 0; i < n; i++ {
		for j, v := range data.Row(i) {
			mean[j] += float64(v)
		}
	}
	for j := range mean {
		mean[j] /= float64(n)
	}
	ss := make([]float64, d)
	for i := 0; i < n; i++ {
		for j, v := range data.Row(i) {
			dv := float64(v) - mean[j]
			ss[j] += dv * dv
		}
	}
	dims := make([]int, d)
	for j := range dims {
		dims[j] = j
	}
	sort.SliceStable(dims, func(a, b int) bool { return ss[dims[a]] > ss[dims[b]] })
	return dims
}

// search collects the k nearest neighbours of point i into h (reused
// storage) and returns them sorted nearest first. It seeds the candidates
// with the k points nearest along the sweep coordinate, then scans right
// and left until the gap along that coordinate alone exceeds the current
// k-th distance.
func (s *sweep) search(h nbHeap, i, k int) nbHeap {
	n := len(s.id)
	p := s.pos[i]
	hp := s.head[4*p : 4*p+4]
	q := [4]float64{float64(hp[0]), float64(hp[1]), float64(hp[2]), float64(hp[3])}
	qt := s.tail[s.rest*p : s.rest*(p+1)]
	b := min(n, max(0, p-k/2)+k)
	a := b - k
	for r := a; r < b; r++ {
		lanes := headLanes(&q, s.head[4*r:4*r+4])
		d2 := tailDist(&lanes, qt, s.tail[s.rest*r:s.rest*(r+1)])
		h = h.push(cand{d2: d2, self: r == p, j: s.id[r]})
	}
	// Squared distances are sums over coordinate j into lane j mod 4,
	// combined as (l0+l1)+(l2+l3). Lanes only grow and rounding is
	// monotonic, so neither the sweep term l0 nor the sum over the four
	// leading coordinates ever exceeds the full sum: a point whose sweep
	// term exceeds the k-th distance ends the scan in that direction (all
	// farther points have larger sweep terms), and one whose leading sum
	// does is skipped without touching its other coordinates.
	limit := h[0].d2
	for r := b; r < n; r++ {
		lanes := headLanes(&q, s.head[4*r:4*r+4])
		if lanes[0] > limit {
			break
		}
		if (lanes[0]+lanes[1])+(lanes[2]+lanes[3]) > limit {
			continue
		}
		limit = s.offer(h, &lanes, qt, r)
	}
	for r := a - 1; r >= 0; r-- {
		lanes := headLanes(&q, s.head[4*r:4*r+4])
		if lanes[0] > limit {
			break
		}
		if (lanes[0]+lanes[1])+(lanes[2]+lanes[3]) > limit {
			continue
		}
		limit = s.offer(h, &lanes, qt, r)
	}
	slices.SortFunc(h, func(a, b cand) int {
		if a.less(b) {
			return -1
		}
		return 1
	})
	return h
}

// offer completes the squared distance to the point at sorted position r
// from its leading lanes, puts the point into the full heap h if it is
// nearer than the farthest kept, and returns the new k-th distance.
func (s *sweep) offer(h nbHeap, lanes *[4]float64, qt []float32, r int) float64 {
	d2 := tailDist(lanes, qt, s.tail[s.rest*r:s.rest*(r+1)])
	if c := (cand{d2: d2, j: s.id[r]}); c.less(h[0]) {
		h.replaceTop(c)
	}
	return h[0].d2
}

// headLanes returns the squared differences of the four leading
// coordinates.
func headLanes(q *[4]float64, p []float32) [4]float64 {
	p = p[:4]
	a, b, c, d := q[0]-float64(p[0]), q[1]-float64(p[1]), q[2]-float64(p[2]), q[3]-float64(p[3])
	return [4]float64{a * a, b * b, c * c, d * d}
}

// tailDistGo adds the squared differences of the other coordinates to the
// lanes (coordinate j of the tail into lane j mod 4) and returns
// (l0+l1)+(l2+l3).
func tailDistGo(l *[4]float64, qt, pt []float32) float64 {
	pt = pt[:len(qt)]
	j := 0
	for ; j+4 <= len(qt); j += 4 {
		a := float64(qt[j]) - float64(pt[j])
		b := float64(qt[j+1]) - float64(pt[j+1])
		c := float64(qt[j+2]) - float64(pt[j+2])
		e := float64(qt[j+3]) - float64(pt[j+3])
		l[0] += a * a
		l[1] += b * b
		l[2] += c * c
		l[3] += e * e
	}
	for ; j < len(qt); j++ {
		a := float64(qt[j]) - float64(pt[j])
		l[0] += a * a
	}
	return (l[0] + l[1]) + (l[2] + l[3])
}

// cand is a candidate neighbour. The point itself sorts before everything,
// then candidates sort by squared distance and index.
type cand struct {
	d2   float64
	self bool
	j    int32
}

func (a cand) less(b cand) bool {
	if a.self != b.self {
		return a.self
	}
	if a.d2 != b.d2 {
		return a.d2 < b.d2
	}
	return a.j < b.j
}

// nbHeap is a max-heap of candidates: h[0] is the farthest kept so far.
type nbHeap []cand

func (h nbHeap) push(c cand) nbHeap {
	h = append(h, c)
	for i := len(h) - 1; i > 0; {
		parent := (i - 1) / 2
		if !h[parent].less(h[i]) {
			break
		}
		h[parent], h[i] = h[i], h[parent]
		i = parent
	}
	return h
}

func (h nbHeap) replaceTop(c cand) {
	h[0] = c
	i := 0
	for {
		l := 2*i + 1
		if l >= len(h) {
			return
		}
		big := l
		if r := l + 1; r < len(h) && h[l].less(h[r]) {
			big = r
		}
		if !h[i].less(h[big]) {
			return
		}
		h[i], h[big] = h[big], h[i]
		i = big
	}
}

// checkInput rejects what no neighbour search can answer: no points, no
// coordinates, k outside [1, n], or a non-finite coordinate.
func checkInput(data *array.Dense, k int) error {
	n, d := data.Rows, data.Cols
	switch {
	case n == 0:
		return fmt.Errorf("knn: no points")
	case d == 0:
		return fmt.Errorf("knn: points have no coordinates")
	case k < 1 || k > n:
		return fmt.Errorf("knn: k = %d neighbours requested for %d points, want 1 ≤ k ≤ %d", k, n, n)
	}
	for i := 0; i < n; i++ {
		for j, v := range data.Row(i) {
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				return fmt.Errorf("knn: point %d has a non-finite coordinate %d (%v)", i, j, v)
			}
		}
	}
	return nil
}
