package umap

import "context"

// subChunk is the number of entries one goroutine takes at a time within a
// batch; any value gives the same result.
const subChunk = 512

// batchPerVertex sets the batch size to this many entries per vertex. Larger
// batches pay fewer synchronisations (at one per vertex, two threads gained
// nothing on a 3696-vertex graph; at four, 1.4×) but compute more moves from
// the same stale positions; 4, 16 and a whole epoch per batch gave similar
// layouts on the pancreas graph, within the spread between seeds.
const batchPerVertex = 4

// optimizer runs umap-learn's optimize_layout_euclidean on a graph.
//
// umap-learn walks the edge list once per epoch and updates both end points
// of every due edge in place, reading positions other edges have just moved.
// Here the edge list is cut into fixed batches; all due edges of a batch are
// computed from the positions at the start of the batch (in parallel, each
// into its own slot) and their moves are then added in edge order. Batches
// hold about 4n edges, visited column rank by column rank (every vertex's
// first neighbour, then every vertex's second, …), so a vertex is the head
// of at most about four edges of a batch, of which on average one is due,
// and the walk stays close to umap-learn's sequential one, while nothing
// depends on which goroutine does what.
type optimizer struct {
	n          int
	head, tail []int32 // entries in visiting order
	// Per-entry schedule (umap-learn's epochs_per_sample and its
	// epoch_of_next_sample / epoch_of_next_negative_sample bookkeeping;
	// epochs_per_negative_sample is epochsPerSample/negRate).
	epochsPerSample, nextSample, nextNeg []float64

	a, b, gamma, alpha0, negRate float64
	nEpochs, batch               int
	seed                         uint64
	threads                      int
}

func newOptimizer(g *graph, o Options, a, b float64) *optimizer {
	nnz := len(g.indices)
	opt := &optimizer{
		n: g.n, head: make([]int32, 0, nnz), tail: make([]int32, 0, nnz),
		epochsPerSample: make([]float64, 0, nnz),
		a:               a, b: b, gamma: o.RepulsionStrength, alpha0: o.LearningRate,
		negRate: float64(o.NegativeSampleRate),
		nEpochs: o.NEpochs, batch: max(batchPerVertex*g.n, subChunk), seed: o.Seed, threads: o.Threads,
	}
	maxDeg := 0
	for i := 0; i < g.n; i++ {
		maxDeg = max(maxDeg, int(g.indptr[i+1]-g.indptr[i]))
	}
	for r := 0; r < maxDeg; r++ {
		for i := 0; i < g.n; i++ {
			e := g.indptr[i] + int64(r)
			if e >= g.indptr[i+1] {
				continue
			}
			opt.head = append(opt.head, int32(i))
			opt.tail = append(opt.tail, g.indices[e])
			// make_epochs_per_sample: n_epochs / (n_epochs · w / max w).
			opt.epochsPerSample = append(opt.epochsPerSample, float64(g.maxW)/float64(g.weights[e]))
		}
	}
	opt.nextSample = append([]float64(nil), opt.epochsPerSample...)
	opt.nextNeg = make([]float64, nnz)
	for e, eps := range opt.epochsPerSample {
		opt.nextNeg[e] = eps / opt.negRate
	}
	return opt
}

// move is the displacement one edge sample gives its two end points.
type move struct {
	entry  int32
	dh, dt [2]float32
}

// run optimises pos (n×2, row-major) in place.
func (opt *optimizer) run(ctx context.Context, pos []float32, progress func(done, total int)) error {
	nnz := len(opt.head)
	chunksPerBatch := (opt.batch + subChunk - 1) / subChunk
	moves := make([][]move, chunksPerBatch)
	for c := range moves {
		moves[c] = make([]move, 0, subChunk)
	}
	for epoch := 0; epoch < opt.nEpochs; epoch++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		alpha := opt.alpha0 * (1 - float64(epoch)/float64(opt.nEpochs))
		for lo := 0; lo < nnz; lo += opt.batch {
			hi := min(lo+opt.batch, nnz)
			chunks := (hi - lo + subChunk - 1) / subChunk
			parallelChunks(opt.threads, chunks, func(c int) {
				a := lo + c*subChunk
				moves[c] = opt.sample(moves[c][:0], pos, a, min(a+subChunk, hi), epoch, alpha)
			})
			for _, ms := range moves[:chunks] {
				for _, m := range ms {
					h, t := 2*int(opt.head[m.entry]), 2*int(opt.tail[m.entry])
					pos[h] += m.dh[0]
					pos[h+1] += m.dh[1]
					pos[t] += m.dt[0]
					pos[t+1] += m.dt[1]
				}
			}
		}
		if progress != nil {
			progress(epoch+1, opt.nEpochs)
		}
	}
	return nil
}

// clip4 is umap-learn's clip: gradients are limited to ±4 per coordinate.
// Plain comparisons: the built-in min and max also order NaNs and signed
// zeros, which costs time on this hot path and is not needed.
func clip4(x float64) float64 {
	if x > 4 {
		return 4
	}
	if x < -4 {
		return -4
	}
	return x
}

// sample computes the moves of the entries in [lo, hi) due at this epoch from
// the positions pos, appending them to dst, and advances their schedules.
func (opt *optimizer) sample(dst []move, pos []float32, lo, hi, epoch int, alpha float64) []move {
	a, b := opt.a, opt.b
	attract := -2 * a * b
	repulse := 2 * opt.gamma * b
	now := float64(epoch)
	for e := lo; e < hi; e++ {
		if opt.nextSample[e] > now {
			continue
		}
		h, t := 2*int(opt.head[e]), 2*int(opt.tail[e])
		cx, cy := float64(pos[h]), float64(pos[h+1])
		dx, dy := cx-float64(pos[t]), cy-float64(pos[t+1])
		var gx, gy float64
		if d2 := dx*dx + dy*dy; d2 > 0 {
			p := powPos(d2, b)
			coef := attract * (p / d2) / (a*p + 1)
			gx, gy = alpha*clip4(coef*dx), alpha*clip4(coef*dy)
		}
		m := move{entry: int32(e), dt: [2]float32{float32(-gx), float32(-gy)}}
		cx += gx
		cy += gy
		sx, sy := gx, gy

		// Negative samples all start from the head's position after its
		// attraction (umap-learn moves it after each one): the samples are then
		// independent, which lets the processor overlap them.
		epn := opt.epochsPerSample[e] / opt.negRate
		nNeg := int((now - opt.nextNeg[e]) / epn)
		rng := newStream(opt.seed, streamNegative, uint64(epoch), uint64(e))
		self := opt.head[e]
		for range nNeg {
			k := int32(rng.intn(uint32(opt.n)))
			if k == self {
				continue
			}
			dx, dy := cx-float64(pos[2*k]), cy-float64(pos[2*k+1])
			gx, gy := 4.0, 4.0 // coincident points: umap-learn's fixed push
			if d2 := dx*dx + dy*dy; d2 > 0 {
				coef := repulse / ((0.001 + d2) * (a*powPos(d2, b) + 1))
				gx, gy = clip4(coef*dx), clip4(coef*dy)
			}
			sx += alpha * gx
			sy += alpha * gy
		}
		m.dh = [2]float32{float32(sx), float32(sy)}
		dst = append(dst, m)
		opt.nextSample[e] += opt.epochsPerSample[e]
		opt.nextNeg[e] += float64(nNeg) * epn
	}
	return dst
}
