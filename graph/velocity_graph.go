package graph

import (
	"context"
	"fmt"
	"github.com/velo-rna/velo/internal/numeric"
	"math"

	"github.com/velo-rna/velo/anndata"
	"github.com/velo-rna/velo/array"
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
	// Threads is the number of goroutines (0 = GOMAXPROCS).
	Threads int
}

// graphChunk is the number of cells one task processes.
const graphChunk = 32

// VelocityGraph computes scVelo's velocity graph (tl.velocity_graph,
// mode_neighbors="distances"): for every cell i and every candidate j (i,
// its stored nearest neighbours and their neighbours), the Pearson
// correlation between the displacement X_j − X_i and the velocity V_i over
// the velocity genes, X being layer XKey and V layer VKey.
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
	vlayer, err := layerOf(a, vkey)
	if err != nil {
		return fmt.Errorf("velocity graph: %w (run velocity first)", err)
	}
	xkey := orDefault(opts.XKey, defaultXKey)
	if _, ok := a.Layers[xkey]; !ok {
		xkey = fallbackXKey
	}
	xlayer, err := layerOf(a, xkey)
	if err != nil {
		return fmt.Errorf("velocity graph: %w", err)
	}
	genes, err := velocityGenes(a, vkey, vlayer)
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

	c := newCosineInput(xlayer, vlayer, genes, sqrt)
	pos, neg := c.graph(ctx, table, depth, parallel.Threads(opts.Threads))
	if err := ctx.Err(); err != nil {
		return err
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

// cosineInput holds the per-cell vectors of the graph computation, padded
// to the kernel width.
type cosineInput struct {
	x, v   *array.Dense // n × stride
	g      int          // number of genes (unpadded)
	sqrt   bool
	moving []bool    // centred velocity not identically zero
	vnorm  []float64 // ‖V_i‖ of the centred (transformed) velocity
	xnorm2 []float64 // ‖Xc_i‖² of the centred state (deterministic mode)
}

func newCosineInput(xlayer, vlayer array.Matrix, genes []int, sqrt bool) *cosineInput {
	g := len(genes)
	stride := padded(g)
	c := &cosineInput{x: gather(xlayer, genes, stride), v: gather(vlayer, genes, stride), g: g, sqrt: sqrt}
	if sqrt {
		signedSqrt(c.v)
	} else {
		// Without the transform the centred displacement is Xc_j − Xc_i,
		// so centring X once replaces centring every displacement.
		centerRows(c.x, g)
		c.xnorm2 = rowNorms(c.x)
		for i, s := range c.xnorm2 {
			c.xnorm2[i] = s * s
		}
	}
	centerRows(c.v, g)
	c.vnorm = rowNorms(c.v)
	c.moving = make([]bool, c.v.Rows)
	for i := range c.moving {
		for _, x := range c.v.Row(i) {
			if x != 0 {
				c.moving[i] = true
				break
			}
		}
	}
	return c
}

// Degenerate displacements: a displacement is treated as constant (its
// correlation undefined, as scVelo's 0/0) when its centred energy is at the
// level of float32 rounding of the sums it is computed from.
const (
	constRelSqrt = 1e-5  // centred Σt² relative to raw Σt² (sqrt mode)
	constRelDiff = 1e-10 // Σd² relative to ‖Xc_i‖² + ‖Xc_j‖² (plain mode)
)

// cosine returns the correlation of cell j's displacement from cell i with
// cell i's velocity, and false when it is undefined.
func (c *cosineInput) cosine(i, j int) (float64, bool) {
	xi, xj, vi := c.x.Row(i), c.x.Row(j), c.v.Row(i)
	var centred, dot float64
	if c.sqrt {
		s, ss, d := sqrtDiffStats(xi, xj, vi)
		centred = ss - s*s/float64(c.g)
		if !(centred > constRelSqrt*ss) {
			return 0, false
		}
		dot = d
	} else {
		ss, d := diffStats(xi, xj, vi)
		if !(ss > constRelDiff*(c.xnorm2[i]+c.xnorm2[j])) {
			return 0, false
		}
		centred, dot = ss, d
	}
	r := dot / (math.Sqrt(centred) * c.vnorm[i])
	if r != r || r == 0 {
		return 0, false
	}
	return r, true
}

// graphPart is one chunk's share of the two graphs, rows in order.
type graphPart struct {
	posCount, negCount []int
	posIdx, negIdx     []int32
	posVal, negVal     []float32
}

// graph computes the positive and negative correlation graphs.
func (c *cosineInput) graph(ctx context.Context, t knn, depth, threads int) (pos, neg *array.CSR) {
	n := c.x.Rows
	parts := make([]graphPart, parallel.Chunks(n, graphChunk))
	scratch := newMarkPool(threads, n)
	parallel.For(n, graphChunk, threads, func(ci, lo, hi int) {
		if ctx.Err() != nil {
			return
		}
		m := scratch.get()
		defer scratch.put(m)
		p := &parts[ci]
		p.posCount = make([]int, hi-lo)
		p.negCount = make([]int, hi-lo)
		for i := lo; i < hi; i++ {
			if !c.moving[i] {
				continue
			}
			m.cand = candidateSet(m.cand, t, i, depth, m.bits)
			for _, j := range m.cand {
				if int(j) == i {
					continue
				}
				r, ok := c.cosine(i, int(j))
				if !ok {
					continue
				}
				if v := float32(r); v > 0 {
					p.posIdx = append(p.posIdx, j)
					p.posVal = append(p.posVal, min(v, 1))
					p.posCount[i-lo]++
				} else if v < 0 {
					p.negIdx = append(p.negIdx, j)
					p.negVal = append(p.negVal, max(v, -1))
					p.negCount[i-lo]++
				}
			}
		}
	})
	return assemble(n, parts, true), assemble(n, parts, false)
}

func assemble(n int, parts []graphPart, positive bool) *array.CSR {
	out := array.NewCSR(n, n)
	total := 0
	for _, p := range parts {
		if positive {
			total += len(p.posIdx)
		} else {
			total += len(p.negIdx)
		}
	}
	out.Indices = make([]int32, 0, total)
	out.Data = make([]float32, 0, total)
	row := 0
	for _, p := range parts {
		counts, idx, val := p.negCount, p.negIdx, p.negVal
		if positive {
			counts, idx, val = p.posCount, p.posIdx, p.posVal
		}
		out.Indices = append(out.Indices, idx...)
		out.Data = append(out.Data, val...)
		for _, k := range counts {
			out.Indptr[row+1] = out.Indptr[row] + int64(k)
			row++
		}
	}
	return out
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

// markPool hands out per-goroutine scratch for candidate sets.
type markPool struct{ ch chan *marks }

type marks struct {
	bits []uint64 // membership bitset over all cells, all zero between uses
	cand []int32
}

func newMarkPool(threads, n int) *markPool {
	p := &markPool{ch: make(chan *marks, threads)}
	for k := 0; k < threads; k++ {
		p.ch <- &marks{bits: make([]uint64, (n+63)/64)}
	}
	return p
}

func (p *markPool) get() *marks  { return <-p.ch }
func (p *markPool) put(m *marks) { p.ch <- m }
