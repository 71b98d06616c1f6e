package knn

import (
	"context"
	"fmt"
	"math"
	"math/bits"
	"math/rand/v2"
	"slices"

	"github.com/velo-rna/velo/array"
	"github.com/velo-rna/velo/internal/parallel"
)

// ApproxOptions configures Approximate. The zero value uses the defaults
// below, which reach a recall above 0.95 against Exact on 30 principal
// components with 30 neighbours.
type ApproxOptions struct {
	// Seed selects the random projections and candidate samples.
	Seed uint64
	// Threads bounds the worker goroutines (0 = GOMAXPROCS); the result is
	// identical for any value.
	Threads int
	// Trees is the number of random-projection trees whose leaves seed the
	// neighbour lists; 0 means 4. pynndescent grows 5 + √n/20 trees; the
	// local joins recover what fewer trees miss, at less cost.
	Trees int
	// LeafSize is the largest leaf of a tree; 0 means max(60, k), so that
	// every leaf offers at least a full neighbour list.
	LeafSize int
	// MaxCandidates bounds the new and the old candidates kept per point in
	// each round of local joins; 0 means min(k, 12), which keeps the recall
	// above 0.95 on 100 000 cells with 30 neighbours. Larger values raise
	// recall and cost quadratically.
	MaxCandidates int
	// MaxIters bounds the rounds of local joins; 0 means 12.
	MaxIters int
	// Delta stops the search once a round changes fewer than Delta·n·k
	// neighbour entries; 0 means 0.001, as pynndescent.
	Delta float64
}

func (o ApproxOptions) resolved(k int) ApproxOptions {
	if o.Trees <= 0 {
		o.Trees = 4
	}
	if o.LeafSize <= 0 {
		o.LeafSize = max(60, k)
	}
	if o.MaxCandidates <= 0 {
		o.MaxCandidates = min(k, 12)
	}
	if o.MaxIters <= 0 {
		o.MaxIters = 12
	}
	if o.Delta <= 0 {
		o.Delta = 0.001
	}
	return o
}

// Approximate returns approximately the k nearest neighbours (the point
// itself first) of every row of data under the Euclidean distance, by
// NN-descent (Dong, Charikar and Li 2011, as pynndescent implements it)
// started from the leaves of random-projection trees. Distances are exact
// for the neighbours found and reported as Exact reports them.
//
// Every point's neighbour and candidate lists are written only by the
// worker that owns the point, from lists fixed before each phase, and every
// random choice is a hash of the seed and the points involved, so the
// result is bit-identical for any number of threads. The state is a few
// compact arrays: about 9 bytes per neighbour entry and 8 per candidate.
func Approximate(ctx context.Context, data *array.Dense, k int, opts ApproxOptions) (*Result, error) {
	n := data.Rows
	if err := checkInput(data, k); err != nil {
		return nil, err
	}
	o := opts.resolved(k)
	perm, local := localityOrder(data, o)
	s := &descent{data: local, perm: perm, n: n, k: k - 1, opts: o}
	if s.k > 0 {
		s.idx = make([]int32, n*s.k)
		s.d2 = make([]float32, n*s.k)
		s.isNew = make([]bool, n*s.k)
		s.initFromTrees(ctx)
		for iter := 0; iter < o.MaxIters && ctx.Err() == nil; iter++ {
			if changed := s.round(ctx, iter); float64(changed) < o.Delta*float64(n)*float64(k) {
				break
			}
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("knn: %w", err)
	}
	return s.result(perm), nil
}

// localityOrder returns the points in the leaf order of one extra
// random-projection tree, perm[r] being the point at position r, and the
// data rows in that order. Nearby points then sit nearby in memory, so the
// search, run on the reordered copy, finds most candidates' coordinates
// and lists in cache instead of scattered over the whole data set.
func localityOrder(data *array.Dense, o ApproxOptions) ([]int32, *array.Dense) {
	t := &descent{data: data, n: data.Rows, opts: o}
	perm := make([]int32, 0, data.Rows)
	for _, leaf := range t.splitTree(rand.New(rand.NewPCG(o.Seed, math.MaxUint64))) {
		perm = append(perm, leaf...)
	}
	local := array.NewDense(data.Rows, data.Cols)
	parallel.For(data.Rows, pointChunk, o.Threads, func(_, lo, hi int) {
		for r := lo; r < hi; r++ {
			copy(local.Row(r), data.Row(int(perm[r])))
		}
	})
	return perm, local
}

// descent is the state of one NN-descent search: n max-heaps of k entries
// (the point itself excluded, hence k is one less than asked), ordered by
// squared distance, then index. Squared distances are kept in float32: the
// reported distance is rounded from the float32 square anyway. isNew marks
// neighbours not yet used in a local join.
type descent struct {
	data  *array.Dense // rows in locality order
	perm  []int32      // perm[r]: original index of the point at position r
	n, k  int
	opts  ApproxOptions
	idx   []int32
	d2    []float32
	isNew []bool
}

// pointChunk is the number of points one goroutine updates at a time.
const pointChunk = 256

// above reports whether heap entry (d, j) sorts after (e, i): by distance,
// then by original index, so that ties resolve as in Exact whatever the
// locality order. Empty slots (index MaxInt32, infinite distance) sort
// last.
func (s *descent) above(d float32, j int32, e float32, i int32) bool {
	switch {
	case d != e:
		return d > e
	case j == math.MaxInt32 || i == math.MaxInt32:
		return j > i
	}
	return s.perm[j] > s.perm[i]
}

func (s *descent) dist(i, j int) float32 {
	var l [4]float64
	return float32(tailDist(&l, s.data.Row(i), s.data.Row(j)))
}

// offer puts j into point i's heap if it is nearer than the farthest kept,
// reporting whether it did. A heap not yet full holds entries with an
// infinite distance.
func (s *descent) offer(i int, j int32) bool {
	d := s.dist(i, int(j))
	base := i * s.k
	idx, d2, isNew := s.idx[base:base+s.k], s.d2[base:base+s.k], s.isNew[base:base+s.k]
	if !s.above(d2[0], idx[0], d, j) {
		return false
	}
	p := 0
	for {
		l := 2*p + 1
		if l >= len(idx) {
			break
		}
		big := l
		if r := l + 1; r < len(idx) && s.above(d2[r], idx[r], d2[l], idx[l]) {
			big = r
		}
		if !s.above(d2[big], idx[big], d, j) {
			break
		}
		idx[p], d2[p], isNew[p] = idx[big], d2[big], isNew[big]
		p = big
	}
	idx[p], d2[p], isNew[p] = j, d, true
	return true
}

// full reports whether point i's heap holds k real neighbours.
func (s *descent) full(i int) bool { return s.idx[i*s.k] != math.MaxInt32 }

// forPoints runs fn on every point with a visit-mark set owned by the
// point's chunk, and returns the summed counts fn reports.
func (s *descent) forPoints(ctx context.Context, fn func(i int, marks *markSet) int) int {
	counts := make([]int, parallel.Chunks(s.n, pointChunk))
	parallel.For(s.n, pointChunk, s.opts.Threads, func(c, lo, hi int) {
		if ctx.Err() != nil {
			return
		}
		var marks markSet
		for i := lo; i < hi; i++ {
			counts[c] += fn(i, &marks)
		}
	})
	total := 0
	for _, c := range counts {
		total += c
	}
	return total
}

// initFromTrees fills every point's heap from the leaves holding it in
// the random-projection trees, then from seeded random points if the
// leaves held fewer than k others, and on tiny inputs from any point left.
func (s *descent) initFromTrees(ctx context.Context) {
	leafOf := make([][]int32, s.opts.Trees) // leafOf[t][i] = leaf of point i in tree t
	leaves := make([][][]int32, s.opts.Trees)
	parallel.For(s.opts.Trees, 1, s.opts.Threads, func(t, _, _ int) {
		r := rand.New(rand.NewPCG(s.opts.Seed, uint64(t)))
		leaves[t] = s.splitTree(r)
		leafOf[t] = make([]int32, s.n)
		for l, members := range leaves[t] {
			for _, i := range members {
				leafOf[t][i] = int32(l)
			}
		}
	})
	for x := range s.idx {
		s.idx[x], s.d2[x] = math.MaxInt32, float32(math.Inf(1))
	}
	s.forPoints(ctx, func(i int, marks *markSet) int {
		marks.reset()
		marks.mark(int32(i))
		for t := range leaves {
			for _, j := range leaves[t][leafOf[t][i]] {
				if !marks.mark(j) {
					s.offer(i, j)
				}
			}
		}
		for a := uint64(0); !s.full(i) && a < 64; a++ {
			if j := int32(mix(s.opts.Seed, uint64(i), a) % uint64(s.n)); !marks.mark(j) {
				s.offer(i, j)
			}
		}
		// Tiny inputs: take any points left, so every heap is full.
		for j := int32(0); !s.full(i); j++ {
			if !marks.mark(j) {
				s.offer(i, j)
			}
		}
		return 0
	})
}

// splitTree partitions the points by random hyperplanes, each halfway
// between two random points of the set it splits, until no part exceeds the
// leaf size, and returns the leaves.
func (s *descent) splitTree(r *rand.Rand) [][]int32 {
	all := make([]int32, s.n)
	for i := range all {
		all[i] = int32(i)
	}
	var leaves [][]int32
	stack := [][]int32{all}
	normal := make([]float64, s.data.Cols)
	for len(stack) > 0 {
		set := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if len(set) <= s.opts.LeafSize {
			leaves = append(leaves, set)
			continue
		}
		a, b := s.data.Row(int(set[r.IntN(len(set))])), s.data.Row(int(set[r.IntN(len(set))]))
		var offset float64
		for c := range normal {
			normal[c] = float64(a[c]) - float64(b[c])
			offset += normal[c] * (float64(a[c]) + float64(b[c])) / 2
		}
		// Partition in place: left keeps the points on a's side.
		left := 0
		for x, i := range set {
			var dot float64
			for c, v := range s.data.Row(int(i)) {
				dot += normal[c] * float64(v)
			}
			if dot > offset {
				set[left], set[x] = set[x], set[left]
				left++
			}
		}
		if left == 0 || left == len(set) {
			// Coincident points (or an unlucky pair): split in halves.
			left = len(set) / 2
		}
		stack = append(stack, set[left:], set[:left])
	}
	return leaves
}

// newFlag marks a new candidate in a reverse or inverse list entry.
const newFlag = 1 << 31

// round runs one round of local joins and returns the number of neighbour
// entries it changed.
func (s *descent) round(ctx context.Context, iter int) int {
	newC, oldC := s.candidates(ctx, iter)
	// inv lists, for every point p, the points v whose candidates hold p,
	// with p's flag there: the local join of v compares p with v's new
	// candidates, and with its old ones too when p is new. Each point then
	// pulls its own updates, so no two workers write the same heap.
	m := s.opts.MaxCandidates
	inv := transposeLists(s.n, m, newC, oldC)
	return s.forPoints(ctx, func(i int, marks *markSet) int {
		members := inv.row(i)
		marks.reset()
		marks.mark(int32(i))
		for _, j := range s.idx[i*s.k : (i+1)*s.k] {
			marks.mark(j)
		}
		changed := 0
		try := func(list []cand32) {
			for _, c := range list {
				if c.j >= 0 && !marks.mark(c.j) && s.offer(i, c.j) {
					changed++
				}
			}
		}
		for _, e := range members {
			v := int(e &^ newFlag)
			try(newC[v*m : (v+1)*m])
			if e&newFlag != 0 {
				try(oldC[v*m : (v+1)*m])
			}
		}
		return changed
	})
}

// flagList is a list per point of point indices, each possibly carrying
// newFlag, in compressed sparse row form.
type flagList struct {
	ptr []int64
	val []uint32
}

func (f *flagList) row(i int) []uint32 { return f.val[f.ptr[i]:f.ptr[i+1]] }

// transposeLists returns, for every point p, the points v whose new (with
// newFlag) or old candidate lists hold p, in increasing v.
func transposeLists(n, m int, newC, oldC []cand32) *flagList {
	f := &flagList{ptr: make([]int64, n+1)}
	for _, list := range [][]cand32{newC, oldC} {
		for _, c := range list {
			if c.j >= 0 {
				f.ptr[c.j+1]++
			}
		}
	}
	for p := 0; p < n; p++ {
		f.ptr[p+1] += f.ptr[p]
	}
	f.val = make([]uint32, f.ptr[n])
	next := slices.Clone(f.ptr[:n])
	for v := 0; v < n; v++ {
		for _, c := range newC[v*m : (v+1)*m] {
			if c.j >= 0 {
				f.val[next[c.j]] = uint32(v) | newFlag
				next[c.j]++
			}
		}
		for _, c := range oldC[v*m : (v+1)*m] {
			if c.j >= 0 {
				f.val[next[c.j]] = uint32(v)
				next[c.j]++
			}
		}
	}
	return f
}

// reverseNeighbours returns, for every point p, the points q whose heaps
// hold p, with newFlag when that entry is new, in increasing q.
func (s *descent) reverseNeighbours() *flagList {
	f := &flagList{ptr: make([]int64, s.n+1)}
	for _, j := range s.idx {
		f.ptr[j+1]++
	}
	for p := 0; p < s.n; p++ {
		f.ptr[p+1] += f.ptr[p]
	}
	f.val = make([]uint32, f.ptr[s.n])
	next := slices.Clone(f.ptr[:s.n])
	for x, j := range s.idx {
		e := uint32(x / s.k)
		if s.isNew[x] {
			e |= newFlag
		}
		f.val[next[j]] = e
		next[j]++
	}
	return f
}

// cand32 is a sampled candidate: index (−1 for an empty slot) and the
// random priority that decides which candidates a full list keeps.
type cand32 struct {
	prio uint32
	j    int32
}

// candidates samples, for every point, up to MaxCandidates new and old
// candidates among its neighbours and the points that list it, and marks
// the sampled new neighbours old. Each edge q → p of the neighbour graph
// has a seeded random priority, and a list keeps the candidates of lowest
// priority (an index offered twice counts with its lower priority): a set
// that does not depend on the order of the offers, so every point builds
// its own lists in parallel.
func (s *descent) candidates(ctx context.Context, iter int) (newC, oldC []cand32) {
	m := s.opts.MaxCandidates
	newC = make([]cand32, s.n*m)
	oldC = make([]cand32, s.n*m)
	rev := s.reverseNeighbours()
	seed := s.opts.Seed ^ 0x9e3779b97f4a7c15
	prio := func(q, p int) uint32 {
		return uint32(mix(seed, uint64(iter)<<32|uint64(q), uint64(p)) >> 32)
	}
	s.forPoints(ctx, func(p int, _ *markSet) int {
		nl, ol := newC[p*m:(p+1)*m], oldC[p*m:(p+1)*m]
		for x := range nl {
			nl[x].j, ol[x].j = -1, -1
		}
		base := p * s.k
		for x, j := range s.idx[base : base+s.k] {
			list := ol
			if s.isNew[base+x] {
				list = nl
			}
			pushCand(list, cand32{prio(p, int(j)), j})
		}
		for _, e := range rev.row(p) {
			q := e &^ newFlag
			list := ol
			if e&newFlag != 0 {
				list = nl
			}
			pushCand(list, cand32{prio(int(q), p), int32(q)})
		}
		for x, j := range s.idx[base : base+s.k] {
			if s.isNew[base+x] && slices.ContainsFunc(nl, func(c cand32) bool { return c.j == j }) {
				s.isNew[base+x] = false
			}
		}
		return 0
	})
	return newC, oldC
}

// pushCand offers c to list, a max-heap on (prio, j) of fixed size whose
// empty slots (j = −1) sort first so they are filled before anything is
// evicted. An index already present keeps the lower of its priorities.
func pushCand(list []cand32, c cand32) {
	for x := range list {
		if list[x].j == c.j {
			if c.prio < list[x].prio {
				list[x].prio = c.prio
				siftCand(list, x)
			}
			return
		}
	}
	if top := list[0]; top.j >= 0 && !candAbove(top, c) {
		return
	}
	list[0] = c
	siftCand(list, 0)
}

// siftCand moves list[p] down the max-heap to its place.
func siftCand(list []cand32, p int) {
	for {
		l := 2*p + 1
		if l >= len(list) {
			return
		}
		big := l
		if r := l + 1; r < len(list) && candAbove(list[r], list[l]) {
			big = r
		}
		if !candAbove(list[big], list[p]) {
			return
		}
		list[p], list[big] = list[big], list[p]
		p = big
	}
}

// candAbove orders a candidate max-heap: empty slots above everything,
// then by priority and index.
func candAbove(a, b cand32) bool {
	if (a.j < 0) != (b.j < 0) {
		return a.j < 0
	}
	if a.prio != b.prio {
		return a.prio > b.prio
	}
	return a.j > b.j
}

// result sorts every heap and prepends the point itself, mapping positions
// back to the original points (perm) so that ties sort by original index.
func (s *descent) result(perm []int32) *Result {
	K := s.k + 1
	res := &Result{N: s.n, K: K, Indices: make([]int32, s.n*K), Distances: make([]float32, s.n*K)}
	parallel.For(s.n, pointChunk, s.opts.Threads, func(_, lo, hi int) {
		type nb struct {
			d float32
			j int32
		}
		h := make([]nb, s.k)
		for r := lo; r < hi; r++ {
			for x := range h {
				h[x] = nb{s.d2[r*s.k+x], perm[s.idx[r*s.k+x]]}
			}
			slices.SortFunc(h, func(a, b nb) int {
				if a.d > b.d || a.d == b.d && a.j > b.j {
					return 1
				}
				return -1
			})
			idx, dist := res.Row(int(perm[r]))
			idx[0] = perm[r]
			for t, e := range h {
				idx[t+1] = e.j
				dist[t+1] = float32Distance(float64(e.d))
			}
		}
	})
	return res
}

// markSet is a set of point indices for the visit marks of one point: an
// open-addressing hash table small enough to stay in cache, unlike a mark
// array over all points. A slot holds gen<<32 | (index+1) and counts only
// when gen is the current generation, so emptying the set is a counter
// increment instead of a pass over the table.
type markSet struct {
	slots []uint64
	gen   uint64
	count int
	shift uint
}

// markSetSize is the initial number of slots; the table doubles when half
// full and keeps its size from point to point.
const markSetSize = 1024

// reset empties the set.
func (m *markSet) reset() {
	if m.slots == nil {
		m.slots = make([]uint64, markSetSize)
		m.shift = uint(64 - bits.TrailingZeros(markSetSize))
	}
	m.gen++
	if m.gen == 1<<32 {
		clear(m.slots)
		m.gen = 1
	}
	m.count = 0
}

// mark adds j and reports whether it was already present.
func (m *markSet) mark(j int32) bool {
	mask := uint64(len(m.slots) - 1)
	want := m.gen<<32 | uint64(j+1)
	for h := (uint64(j) * 0x9e3779b97f4a7c15) >> m.shift; ; h = (h + 1) & mask {
		switch e := m.slots[h]; {
		case e == want:
			return true
		case e>>32 != m.gen:
			m.slots[h] = want
			m.count++
			if 2*m.count > len(m.slots) {
				m.grow()
			}
			return false
		}
	}
}

// grow doubles the table, keeping the current generation's members.
func (m *markSet) grow() {
	old := m.slots
	m.slots = make([]uint64, 2*len(old))
	m.shift--
	m.count = 0
	for _, e := range old {
		if e>>32 == m.gen {
			m.mark(int32(e&0xffffffff) - 1)
		}
	}
}

// mix hashes three words into a well-spread 64-bit value (splitmix64
// finaliser on a combination), for seeded choices that do not depend on
// the order they are made in.
func mix(a, b, c uint64) uint64 {
	x := a ^ (b+0x9e3779b97f4a7c15)*0xbf58476d1ce4e5b9 ^ (c+0x632be59bd9b4e5b5)*0x94d049bb133111eb
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}
