package graph

import (
	"context"
	"fmt"
	"math"

	"github.com/velo-rna/velo/anndata"
	"github.com/velo-rna/velo/array"
	"github.com/velo-rna/velo/internal/numeric"
	"github.com/velo-rna/velo/internal/parallel"
)

// SqrtMode selects scVelo's variance-stabilising transform of velocities
// and displacements in VelocityGraph.
type SqrtMode int

const (
	// SqrtAuto applies the transform exactly when
	// uns[<vkey>_params]["mode"] is "stochastic" (scVelo's
	// sqrt_transform=None).
	SqrtAuto SqrtMode = iota
	// SqrtOn always applies sign(x)·√|x|.
	SqrtOn
	// SqrtOff never applies it.
	SqrtOff
)

// GraphOptions configures VelocityGraph. The zero value is scVelo's
// tl.velocity_graph defaults.
type GraphOptions struct {
	// VKey names the velocity layer and prefixes the output keys
	// (scVelo vkey, default "velocity").
	VKey string
	// XKey names the expression layer (scVelo xkey, default "Ms"; like
	// scVelo, "spliced" is used when the layer is missing).
	XKey string
	// Sqrt selects the variance-stabilising transform (default SqrtAuto).
	Sqrt SqrtMode
	// NNeighbors restricts each cell's direct neighbours to its
	// NNeighbors nearest stored ones (scVelo n_neighbors; 0 = all stored,
	// i.e. the smallest row count of obsp distances). It cannot exceed the
	// stored count: scVelo would recompute neighbours on an embedding,
	// which velo leaves to the neighbours step.
	NNeighbors int
	// NRecurseNeighbors is the number of neighbour hops forming the
	// candidate set (scVelo n_recurse_neighbors; 0 = 2, or 1 when
	// NNeighbors is set, as in scVelo).
	NRecurseNeighbors int
	// VelocityRows, when set, supplies the velocities instead of the
	// velocity layer, which is then not read: the cells are processed in
	// consecutive row blocks of RowBlock cells, each block's velocities
	// read by one call and dropped before the next, so only one block is
	// held at a time. The result is the same as from the layer, except
	// that a NaN velocity among the genes in use is an error instead of
	// dropping its gene.
	VelocityRows RowsFunc
	// RowBlock is the number of cells per VelocityRows call (0 = an
	// eighth of the cells rounded up to a multiple of 4096, the row
	// chunking of velo's h5ad layers).
	RowBlock int
	// Threads is the number of goroutines (0 = GOMAXPROCS).
	Threads int
}

// graphChunk is the number of cells one task processes; graphBlock the
// number of genes summed at a time (a multiple of kernelBlock; it fixes
// how the float32 sums are split, so changing it changes the last bits).
// A chunk's cells and velocities over one block (4 KB per cell) stay in
// the 1 MB level-2 cache of current cores while each candidate's block
// is read once for all of them; prefetchAhead is how many candidates
// ahead their blocks are requested from memory.
const (
	graphChunk    = 128
	graphBlock    = 512
	prefetchAhead = 4
)

// VelocityGraph computes scVelo's velocity graph (tl.velocity_graph,
// mode_neighbors="distances"): for every cell i and every candidate j (i,
// its stored nearest neighbours and their neighbours), the Pearson
// correlation between the displacement X_j − X_i and the velocity V_i over
// the velocity genes, X being layer XKey and V layer VKey (or the rows
// GraphOptions.VelocityRows returns).
//
// It stores uns[<vkey>_graph] (positive correlations) and
// uns[<vkey>_graph_neg] (negative ones) as float32 CSR matrices with sorted
// column indices, obs[<vkey>_self_transition], and records mode_neighbors
// and n_recurse_neighbors in uns[<vkey>_params] (dropping its embeddings
// list, as scVelo does). Correlations that are exactly zero or undefined
// (j = i, a constant displacement) are not stored; cells whose centred
// velocity is zero get empty rows.
func VelocityGraph(ctx context.Context, a *anndata.AnnData, opts GraphOptions) error {
	if a.Uns == nil {
		a.Uns = map[string]any{}
	}
	vkey := orDefault(opts.VKey, defaultVKey)
	vlayer, genes, err := stepGenes(a, vkey, opts.VelocityRows)
	if err != nil {
		return fmt.Errorf("velocity graph: %w", err)
	}
	xkey := orDefault(opts.XKey, defaultXKey)
	if _, ok := a.Layers[xkey]; !ok {
		xkey = fallbackXKey
	}
	xlayer, err := layerOf(a, xkey)
	if err != nil {
		return fmt.Errorf("velocity graph: %w", err)
	}
	dist, err := distances(a)
	if err != nil {
		return fmt.Errorf("velocity graph: %w", err)
	}
	if err := checkPositiveNeighbors(dist); err != nil {
		return fmt.Errorf("velocity graph: %w", err)
	}
	if opts.NNeighbors < 0 || opts.NRecurseNeighbors < 0 {
		return fmt.Errorf("velocity graph: negative NNeighbors (%d) or NRecurseNeighbors (%d)", opts.NNeighbors, opts.NRecurseNeighbors)
	}
	table, err := neighborTable(dist, opts.NNeighbors)
	if err != nil {
		return fmt.Errorf("velocity graph: %w", err)
	}
	if opts.NNeighbors > table.k {
		return fmt.Errorf("velocity graph: NNeighbors %d exceeds the %d neighbours stored in obsp %q", opts.NNeighbors, table.k, distancesKey)
	}
	depth := opts.NRecurseNeighbors
	if depth == 0 {
		depth = 2
		if opts.NNeighbors > 0 {
			depth = 1
		}
	}
	sqrt := opts.Sqrt == SqrtOn
	if opts.Sqrt == SqrtAuto {
		if p, ok := a.Uns[vkey+paramsSuffix].(map[string]any); ok {
			mode, _ := p["mode"].(string)
			sqrt = mode == "stochastic"
		}
	}

	threads := parallel.Threads(opts.Threads)
	vel, err := newVelocityBlocks(a, vlayer, opts.VelocityRows, opts.RowBlock, genes, threads)
	if err != nil {
		return fmt.Errorf("velocity graph: %w", err)
	}
	c := newCosineInput(xlayer, genes, sqrt, threads)
	pos, neg, err := c.graph(ctx, table, curveOrder(a, table), depth, vel, threads)
	if err != nil {
		return fmt.Errorf("velocity graph: %w", err)
	}
	a.Uns[vkey+graphSuffix] = pos
	a.Uns[vkey+graphNegSuffix] = neg
	self := selfTransitions(pos)
	st := make([]float32, len(self))
	for i, s := range self {
		st[i] = float32(s)
	}
	a.Obs.Set(vkey+selfTransSuffix, st)
	p := velocityParams(a, vkey)
	delete(p, "embeddings")
	p["mode_neighbors"] = "distances"
	p["n_recurse_neighbors"] = int64(depth)
	return nil
}

// cosineInput holds what the graph computation reads besides the
// velocities: the expression rows of every cell (shared with the layer when
// possible) and per-cell quantities derived from them.
type cosineInput struct {
	x     geneRows
	genes []int
	g     int
	kw    int // stride of velocity scratch rows: g, or the zero-padded width
	sqrt  bool
	// Deterministic mode: row means of X and ‖X_i − mean_i‖², so the
	// centred displacement is X_j − X_i − (mean_j − mean_i).
	xmean  []float64
	xnorm2 []float64
}

func newCosineInput(xlayer array.Matrix, genes []int, sqrt bool, threads int) *cosineInput {
	g := len(genes)
	// In sqrt mode a gathered copy is padded with zeros so the kernel can
	// read its last block in place (centred differences, in deterministic
	// mode, would not vanish on padding).
	c := &cosineInput{x: newGeneRows(xlayer, genes, threads, sqrt), genes: genes, g: g, sqrt: sqrt}
	c.kw = g
	if c.x.padded {
		c.kw = c.x.stride
	}
	if !sqrt {
		n, _ := xlayer.Shape()
		c.xmean = make([]float64, n)
		c.xnorm2 = make([]float64, n)
		parallel.For(n, rowChunk, threads, func(_, lo, hi int) {
			for i := lo; i < hi; i++ {
				s, ss := centredMoments(c.x.row(i))
				c.xmean[i], c.xnorm2[i] = s/float64(g), ss
			}
		})
	}
	return c
}

// velocity writes row r of v (a cell's velocity over the genes) to dst,
// transformed (sign(v)·√|v| in sqrt mode, in float32 as numpy) and
// centred, and returns its norm; 0 when the centred velocity vanishes.
func (c *cosineInput) velocity(v rowReader, r int, dst []float32) float64 {
	v.into(r, dst)
	dst = dst[:c.g]
	if c.sqrt {
		for k, x := range dst {
			dst[k] = float32(math.Copysign(math.Sqrt(math.Abs(float64(x))), float64(x)))
		}
	}
	// The mean is accumulated in float64, so a constant row becomes
	// exactly zero.
	var s float64
	for _, x := range dst {
		s += float64(x)
	}
	mean := s / float64(c.g)
	var ss float64
	moving := false
	for k, x := range dst {
		y := float32(float64(x) - mean)
		dst[k] = y
		ss += float64(y) * float64(y)
		moving = moving || y != 0
	}
	if !moving {
		return 0
	}
	return math.Sqrt(ss)
}

// Degenerate displacements: a displacement is treated as constant (its
// correlation undefined, as scVelo's 0/0) when its centred energy is at the
// level of float32 rounding of the sums it is computed from.
const (
	constRelSqrt = 1e-5  // centred Σt² relative to raw Σt² (sqrt mode)
	constRelDiff = 1e-10 // Σd² relative to ‖Xc_i‖² + ‖Xc_j‖² (plain mode)
)

// addDiffStats adds to acc (0, Σd², Σd·v) the deterministic-mode sums
// over one block of genes: xi, xj the block of cells i and j, vi the block
// of cell i's centred velocity. (In sqrt mode sqrtBucket adds Σt, Σt²,
// Σt·v.)
func (c *cosineInput) addDiffStats(acc []float64, i, j int, xi, xj, vi []float32) {
	ss, d := diffStats(xi, xj, vi, float32(c.xmean[j]-c.xmean[i]))
	acc[1] += ss
	acc[2] += d
}

// cosine returns the correlation of cell j's displacement from cell i with
// cell i's centred velocity (norm vnorm) from the sums of sqrtBucket or
// addDiffStats, and false when it is undefined.
func (c *cosineInput) cosine(i, j int, acc []float64, vnorm float64) (float64, bool) {
	var centred float64
	if c.sqrt {
		s, ss := acc[0], acc[1]
		centred = ss - s*s/float64(c.g)
		if !(centred > constRelSqrt*ss) {
			return 0, false
		}
	} else {
		centred = acc[1]
		if !(centred > constRelDiff*(c.xnorm2[i]+c.xnorm2[j])) {
			return 0, false
		}
	}
	r := acc[2] / (math.Sqrt(centred) * vnorm)
	if r != r || r == 0 {
		return 0, false
	}
	return r, true
}

// graph computes the positive and negative correlation graphs.
//
// A first pass counts each cell's candidates, which bounds its entries in
// both graphs together; one buffer of that size receives every row in
// place (positive entries from the front of the row's slot, negative ones
// from the back), cells being processed in the given order (block by block
// of vel), and finally holds both graphs. The peak is that buffer plus a
// temporary copy of the negative graph.
func (c *cosineInput) graph(ctx context.Context, t knn, order []int32, depth int, vel velocityBlocks, threads int) (pos, neg *array.CSR, err error) {
	n := len(t.idx) / t.k
	scratch := newMarkPool(threads, n, c.kw)
	slot := make([]int64, n+1)
	parallel.For(n, rowChunk, threads, func(_, lo, hi int) {
		m := scratch.get()
		defer scratch.put(m)
		for i := lo; i < hi; i++ {
			var size int
			size, m.cand = candidateCount(m.cand, t, i, depth, m.bits)
			slot[i+1] = int64(size - 1) // i itself is no candidate
		}
	})
	for i := 0; i < n; i++ {
		slot[i+1] += slot[i]
	}
	idx := make([]int32, slot[n])
	val := make([]float32, slot[n])
	posCount := make([]int32, n)
	negCount := make([]int32, n)
	g, kw := c.g, c.kw
	err = vel.each(ctx, order, func(vm array.Matrix, vlo int, block []int32) {
		vr := newRowReader(vm, c.genes)
		parallel.For(len(block), graphChunk, threads, func(_, lo, hi int) {
			if ctx.Err() != nil {
				return
			}
			m := scratch.get()
			defer scratch.put(m)
			cells := block[lo:hi]
			// The chunk's velocities and candidate pairs first, then the
			// pairs grouped by candidate; then the sums gene block by gene
			// block, candidate by candidate, so that each candidate's block
			// is fetched once for all the chunk's cells that have it while
			// their own blocks stay in cache.
			m.pairs = m.pairs[:0]
			for q, ci := range cells {
				i := int(ci)
				m.start[q] = len(m.pairs)
				m.vnorm[q] = c.velocity(vr, i-vlo, m.v[q*kw:(q+1)*kw])
				if m.vnorm[q] == 0 {
					continue
				}
				m.cand = candidateSet(m.cand, t, i, depth, m.bits)
				for _, j := range m.cand {
					if int(j) != i {
						m.pairs = append(m.pairs, j)
					}
				}
			}
			m.start[len(cells)] = len(m.pairs)
			m.group(m.pairs, m.start[:len(cells)+1])
			if cap(m.acc) < 3*len(m.pairs) {
				m.acc = make([]float64, 3*len(m.pairs))
			}
			acc := m.acc[:3*len(m.pairs)]
			clear(acc)
			for b0 := 0; b0 < g; b0 += graphBlock {
				b1 := min(b0+graphBlock, g)
				pb := pairBlock{x: c.x, cells: cells, v: m.v, vw: kw, b0: b0}
				for u := range min(prefetchAhead, len(m.cols)) {
					prefetchBlock(&c.x.row(int(m.cols[u]))[b0], b1-b0)
				}
				for u, j := range m.cols {
					if v := u + prefetchAhead; v < len(m.cols) {
						prefetchBlock(&c.x.row(int(m.cols[v]))[b0], b1-b0)
					}
					xj := c.x.row(int(j))[b0:b1]
					p0, p1 := m.colStart[u], m.colStart[u+1]
					if c.sqrt {
						sqrtBucket(acc[3*p0:3*p1], m.owner[p0:p1], xj, &pb)
						continue
					}
					for p := p0; p < p1; p++ {
						q := int(m.owner[p])
						i := int(cells[q])
						c.addDiffStats(acc[3*p:3*p+3], i, int(j), c.x.row(i)[b0:b1], xj, m.v[q*kw+b0:q*kw+b1])
					}
				}
			}
			for q, ci := range cells {
				i := int(ci)
				if m.vnorm[q] == 0 {
					continue
				}
				p, e := slot[i], slot[i+1]
				for k := m.start[q]; k < m.start[q+1]; k++ {
					j, a := m.pairs[k], 3*m.at[k]
					r, ok := c.cosine(i, int(j), acc[a:a+3], m.vnorm[q])
					if !ok {
						continue
					}
					if v := float32(r); v > 0 {
						idx[p], val[p] = j, min(v, 1)
						p++
					} else if v < 0 {
						e--
						idx[e], val[e] = j, max(v, -1)
					}
				}
				posCount[i] = int32(p - slot[i])
				negCount[i] = int32(slot[i+1] - e)
			}
		})
	})
	if err != nil {
		return nil, nil, err
	}
	// The negative rows are gathered into a temporary of their exact size
	// and, once the positive rows are packed to the front of the buffer,
	// copied to its back: both graphs then share the one allocation (with
	// capacities capped, so neither can grow into the other), which holds
	// 8 bytes per candidate however the entries split by sign.
	neg = array.NewCSR(n, n)
	for i, k := range negCount {
		neg.Indptr[i+1] = neg.Indptr[i] + int64(k)
	}
	nn := neg.Indptr[n]
	negIdx := make([]int32, nn)
	negVal := make([]float32, nn)
	parallel.For(n, rowChunk, threads, func(_, lo, hi int) {
		for i := lo; i < hi; i++ {
			// The slot holds the row's negative entries backwards.
			src, dst := slot[i+1]-1, neg.Indptr[i]
			for ; dst < neg.Indptr[i+1]; dst++ {
				negIdx[dst], negVal[dst] = idx[src], val[src]
				src--
			}
		}
	})
	pos = array.NewCSR(n, n)
	for i, k := range posCount {
		lo, e := pos.Indptr[i], int64(k)
		copy(idx[lo:lo+e], idx[slot[i]:slot[i]+e])
		copy(val[lo:lo+e], val[slot[i]:slot[i]+e])
		pos.Indptr[i+1] = lo + e
	}
	np, total := pos.Indptr[n], slot[n]
	pos.Indices, pos.Data = idx[:np:np], val[:np:np]
	copy(idx[total-nn:], negIdx)
	copy(val[total-nn:], negVal)
	neg.Indices, neg.Data = idx[total-nn:total:total], val[total-nn:total:total]
	return pos, neg, nil
}

// selfTransitions returns scVelo's self-transition probabilities
// clip(pct98(r) − r_i, 0, 1), r_i being the largest entry of row i of the
// positive graph (0 for empty rows: the max of a sparse row counts its
// implicit zeros).
func selfTransitions(pos *array.CSR) []float64 {
	r := make([]float64, pos.Rows)
	for i := range r {
		_, val := pos.RowView(i)
		var m float32
		for _, v := range val {
			m = max(m, v)
		}
		r[i] = float64(m)
	}
	ub := numeric.Percentile(r, 98)
	out := make([]float64, len(r))
	for i, x := range r {
		out[i] = min(max(ub-x, 0), 1)
	}
	return out
}

// markPool hands out per-goroutine scratch.
type markPool struct{ ch chan *marks }

type marks struct {
	bits []uint64 // membership bitset over all cells, all zero between uses
	cand []int32
	// The current chunk: centred velocities (graphChunk × genes) and
	// their norms, candidate pairs (cell q's are pairs[start[q]:
	// start[q+1]]) and their sums.
	v     []float32
	vnorm []float64
	start []int
	pairs []int32
	acc   []float64
	columnBuckets
}

func newMarkPool(threads, n, g int) *markPool {
	p := &markPool{ch: make(chan *marks, threads)}
	for k := 0; k < threads; k++ {
		p.ch <- &marks{bits: make([]uint64, (n+63)/64), v: make([]float32, graphChunk*g),
			vnorm: make([]float64, graphChunk), start: make([]int, graphChunk+1),
			columnBuckets: newColumnBuckets(n)}
	}
	return p
}

func (p *markPool) get() *marks  { return <-p.ch }
func (p *markPool) put(m *marks) { p.ch <- m }
