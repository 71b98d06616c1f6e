package umap

import (
	"context"
	"math"
	"sort"
)

// subChunk is the number of entries one goroutine takes at a time within a
// batch; any value gives the same result.
const subChunk = 512

// batchPerVertex sets the batch size to this many entries per vertex, up to
// maxBatch. Larger batches pay fewer synchronisations but compute more moves
// from the same stale positions; 4, 16 and a whole epoch per batch gave
// similar layouts on the pancreas graph, within the spread between seeds.
const batchPerVertex = 16

// maxBatch caps the batch so that its moves (about a fifth of its entries
// are due, 24 bytes each) stay in a core's L2 cache with the positions they
// are computed from: with uncapped 16n-entry batches the SGD's loop over a
// 100 000-vertex graph took a third longer, waiting on memory.
const maxBatch = 1 << 17

// parallelApplyMoves is the number of moves in a batch from which they are
// added to the positions by several goroutines; below it the start-up cost
// outweighs the gain.
const parallelApplyMoves = 8192

// optimizer runs umap-learn's optimize_layout_euclidean on a graph.
//
// umap-learn walks the edge list once per epoch and updates both end points
// of every due edge in place, reading positions other edges have just moved.
// Here the edge list is cut into fixed batches; all due edges of a batch are
// computed from the positions at the start of the batch (in parallel, each
// into its own slot) and their moves are then added in edge order. Batches
// hold 16n edges (at most maxBatch), visited column rank by column rank (every vertex's
// first neighbour, then every vertex's second, …), so a vertex is the head
// of at most about 16 edges of a batch, of which on average three are due,
// and the walk stays close to umap-learn's sequential one, while nothing
// depends on which goroutine does what.
//
// Within a rank, vertices come by decreasing degree (ties by index), so the
// vertices of rank r are a prefix of one ordering and an entry's head need
// not be stored: per graph entry the optimizer keeps 8 bytes, the tail and
// the fixed-point sampling rate, from which the schedule is derived (see
// schedule.go).
type optimizer struct {
	n         int
	order     []int32  // vertices by decreasing degree
	rankStart []int    // entries of rank r: [rankStart[r], rankStart[r+1])
	tail      []int32  // entries in visiting order
	rate      []uint32 // w/max w, fixed point (rateShift)

	att, rep       *kernelParams
	alpha0         float64
	negRate        uint64
	nEpochs, batch int
	rngBase        uint64
	threads        int
	threadsNow     func() int
}

func newOptimizer(g *graph, o Options, a, b float64) *optimizer {
	nnz := len(g.indices)
	opt := &optimizer{
		n: g.n, order: make([]int32, g.n), rankStart: []int{0},
		tail: make([]int32, 0, nnz), rate: make([]uint32, 0, nnz),
		att: attractionParams(float32(a), float32(b)), rep: repulsionParams(float32(a), float32(b), float32(o.RepulsionStrength)),
		alpha0: o.LearningRate, negRate: uint64(o.NegativeSampleRate),
		nEpochs: o.NEpochs, batch: min(max(batchPerVertex*g.n, subChunk), maxBatch),
		rngBase: newStream(o.Seed, streamNegative, 0, 0).state, threads: o.Threads,
		threadsNow: o.ThreadsNow,
	}
	// Counting sort by decreasing degree, stable in the vertex index.
	deg := func(i int32) int { return int(g.indptr[i+1] - g.indptr[i]) }
	maxDeg := 0
	for i := 0; i < g.n; i++ {
		maxDeg = max(maxDeg, deg(int32(i)))
	}
	first := make([]int, maxDeg+2) // first[maxDeg−d]: position of degree d
	for i := 0; i < g.n; i++ {
		first[maxDeg-deg(int32(i))+1]++
	}
	for d := 1; d < len(first); d++ {
		first[d] += first[d-1]
	}
	for i := 0; i < g.n; i++ {
		k := maxDeg - deg(int32(i))
		opt.order[first[k]] = int32(i)
		first[k]++
	}
	active := g.n
	for r := 0; r < maxDeg; r++ {
		for active > 0 && deg(opt.order[active-1]) <= r {
			active--
		}
		for _, i := range opt.order[:active] {
			e := g.indptr[i] + int64(r)
			opt.tail = append(opt.tail, g.indices[e])
			// make_epochs_per_sample's rate w/max w; pruning keeps it ≥ 1/500.
			opt.rate = append(opt.rate, uint32(math.Round(float64(g.weights[e])/float64(g.maxW)*(1<<rateShift))))
		}
		opt.rankStart = append(opt.rankStart, len(opt.tail))
	}
	return opt
}

// move is the displacement one edge sample gives its two end points.
type move struct {
	h, t   int32
	dh, dt [2]float32
}

// sgdScratch is one goroutine's working space for a chunk of entries: the
// due edges, and the offsets and gradients of their attractive and negative
// pairs, laid out for the gradient kernel.
type sgdScratch struct {
	due              []int32
	edges            []dueEdge
	ax, ay, agx, agy []float32
	nx, ny, ngx, ngy []float32
}

// dueEdge is an entry sampled in this epoch; neg counts its negative samples
// until they are drawn, then marks the end of its negative pairs.
type dueEdge struct {
	e, h, t int32
	neg     int32
}

// run optimises pos (n×2, row-major) in place.
func (opt *optimizer) run(ctx context.Context, pos []float32, progress func(done, total int)) error {
	nnz := len(opt.tail)
	chunksPerBatch := (opt.batch + subChunk - 1) / subChunk
	moves := make([][]move, chunksPerBatch)
	var scratch []sgdScratch
	for epoch := 0; epoch < opt.nEpochs; epoch++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		threads := opt.threads
		if opt.threadsNow != nil {
			threads = max(opt.threadsNow(), 1)
		}
		for len(scratch) < threads {
			scratch = append(scratch, sgdScratch{})
		}
		// Nothing is due at epoch 0 (every entry waits at least one epoch);
		// umap-learn's learning rate at epoch t is α₀(1 − (t−1)/n_epochs).
		if epoch > 0 {
			alpha := float32(opt.alpha0 * (1 - float64(epoch-1)/float64(opt.nEpochs)))
			for lo := 0; lo < nnz; lo += opt.batch {
				hi := min(lo+opt.batch, nnz)
				chunks := (hi - lo + subChunk - 1) / subChunk
				total := 0
				parallelWorkers(threads, chunks, func(w, c int) {
					a := lo + c*subChunk
					moves[c] = opt.sample(moves[c][:0], &scratch[w], pos, a, min(a+subChunk, hi), epoch, alpha)
				})
				for _, ms := range moves[:chunks] {
					total += len(ms)
				}
				opt.apply(pos, moves[:chunks], total, threads)
			}
		}
		if progress != nil {
			progress(epoch+1, opt.nEpochs)
		}
	}
	return nil
}

// apply adds the moves to the positions in order. With enough moves, each
// goroutine takes a range of vertices and adds, in the same order, the moves
// that land there: every vertex receives the same additions in the same
// order whatever the split.
func (opt *optimizer) apply(pos []float32, moves [][]move, total, threads int) {
	parts := 1
	if total >= parallelApplyMoves {
		parts = threads
	}
	parallelChunks(parts, parts, func(c int) {
		lo := int32(int64(opt.n) * int64(c) / int64(parts))
		size := uint32(int64(opt.n)*int64(c+1)/int64(parts)) - uint32(lo)
		for _, ms := range moves {
			for _, m := range ms {
				if uint32(m.h-lo) < size {
					pos[2*m.h] += m.dh[0]
					pos[2*m.h+1] += m.dh[1]
				}
				if uint32(m.t-lo) < size {
					pos[2*m.t] += m.dt[0]
					pos[2*m.t+1] += m.dt[1]
				}
			}
		}
	})
}

// sample computes the moves of the entries in [lo, hi) due at this epoch
// (≥ 1) from the positions pos, appending them to dst.
//
// umap-learn moves the head after its attraction and after each negative
// sample; here the negative samples of one edge all start from the head's
// position after its attraction, which makes them independent, so the
// kernel evaluates them eight at a time.
func (opt *optimizer) sample(dst []move, s *sgdScratch, pos []float32, lo, hi, epoch int, alpha float32) []move {
	t := uint64(epoch)
	// Due entries first, without branches: about one entry in five is due,
	// in no predictable pattern.
	s.due = growInt32(s.due, hi-lo)
	nDue := 0
	for k, rt := range opt.rate[lo:hi] {
		// ⌊t·r⌋ > ⌊(t−1)·r⌋ exactly when the fractional part of t·r is below
		// r (r ≤ 1); x − r wraps to a number with the top bit set then.
		s.due[nDue] = int32(lo + k)
		x := t * uint64(rt) & (1<<rateShift - 1)
		nDue += int((x - uint64(rt)) >> 63)
	}
	if nDue == 0 {
		return dst
	}
	s.edges = s.edges[:0]
	s.ax, s.ay = growFloat32(s.ax, nDue), growFloat32(s.ay, nDue)
	maxNeg := 0
	r := sort.SearchInts(opt.rankStart, lo+1) - 1 // rank of entry lo
	for j, e := range s.due[:nDue] {
		for int(e) >= opt.rankStart[r+1] {
			r++
		}
		nNeg, _ := negativesDue(t, uint64(opt.rate[e]), opt.negRate)
		h, tl := opt.order[int(e)-opt.rankStart[r]], opt.tail[e]
		s.edges = append(s.edges, dueEdge{e: e, h: h, t: tl, neg: int32(nNeg)})
		s.ax[j] = pos[2*h] - pos[2*tl]
		s.ay[j] = pos[2*h+1] - pos[2*tl+1]
		maxNeg += nNeg
	}
	s.agx, s.agy = growFloat32(s.agx, nDue), growFloat32(s.agy, nDue)
	gradKernel(s.ax, s.ay, s.agx, s.agy, opt.att)

	// Negative samples: draws are wyrand on a counter unique to (epoch,
	// entry, draw), two vertex indices per 64-bit draw; the head itself is
	// skipped, as umap-learn does.
	n := uint64(opt.n)
	stride := opt.negRate + 2 // > draws per sample: ⌈(2·negRate + 1)/2⌉
	nx, ny := growFloat32(s.nx, maxNeg+1), growFloat32(s.ny, maxNeg+1)
	m := 0
	for j := range s.edges {
		ed := &s.edges[j]
		h := ed.h
		cx := pos[2*h] + alpha*s.agx[j]
		cy := pos[2*h+1] + alpha*s.agy[j]
		ctr := opt.rngBase + (t*uint64(len(opt.tail))+uint64(ed.e))*stride*wyIncrement
		for q := int32(0); q < ed.neg; q += 2 {
			bits := wyrand(ctr)
			ctr += wyIncrement
			k := int32((bits & 0xffffffff) * n >> 32)
			nx[m] = cx - pos[2*k]
			ny[m] = cy - pos[2*k+1]
			if k != h {
				m++
			}
			// The second index of the last draw of an odd count is dropped
			// (its lane is overwritten).
			k = int32((bits >> 32) * n >> 32)
			nx[m] = cx - pos[2*k]
			ny[m] = cy - pos[2*k+1]
			if k != h && q+1 < ed.neg {
				m++
			}
		}
		ed.neg = int32(m)
	}
	s.nx, s.ny = nx[:m], ny[:m]
	s.ngx, s.ngy = growFloat32(s.ngx, m), growFloat32(s.ngy, m)
	gradKernel(s.nx, s.ny, s.ngx, s.ngy, opt.rep)

	base := len(dst)
	dst = growMoves(dst, base+nDue)
	start := int32(0)
	for j, ed := range s.edges {
		gx, gy := s.agx[j], s.agy[j]
		sx, sy := gx, gy
		for _, g := range s.ngx[start:ed.neg] {
			sx += g
		}
		for _, g := range s.ngy[start:ed.neg] {
			sy += g
		}
		start = ed.neg
		mv := &dst[base+j]
		mv.h, mv.t = ed.h, ed.t
		mv.dh = [2]float32{alpha * sx, alpha * sy}
		mv.dt = [2]float32{-alpha * gx, -alpha * gy}
	}
	return dst
}

// growFloat32, growInt32 and growMoves return s resized to n, reallocating
// only when its capacity is short.
func growFloat32(s []float32, n int) []float32 {
	if cap(s) < n {
		return make([]float32, n, 2*n)
	}
	return s[:n]
}

func growInt32(s []int32, n int) []int32 {
	if cap(s) < n {
		return make([]int32, n, 2*n)
	}
	return s[:n]
}

func growMoves(s []move, n int) []move {
	if cap(s) < n {
		return append(s[:cap(s)], make([]move, n-cap(s))...)[:n]
	}
	return s[:n]
}
