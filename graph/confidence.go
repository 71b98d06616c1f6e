package graph

import (
	"context"
	"fmt"
	"math"

	"github.com/velo-rna/velo/anndata"
	"github.com/velo-rna/velo/array"
	"github.com/velo-rna/velo/internal/parallel"
)

// ConfidenceOptions configures VelocityConfidence. The zero value is
// scVelo's tl.velocity_confidence defaults.
type ConfidenceOptions struct {
	// VKey names the velocity layer and prefixes the outputs (default
	// "velocity").
	VKey string
	// Scale is the transition kernel scale used for
	// <vkey>_confidence_transition (default 10).
	Scale float64
	// SkipTransition leaves obs <vkey>_confidence_transition as it is, for
	// callers that compute it with VelocityConfidenceTransition; the layer
	// Ms is then not read.
	SkipTransition bool
	// Threads is the number of goroutines (0 = GOMAXPROCS).
	Threads int
}

// TransitionConfidenceOptions configures VelocityConfidenceTransition. The
// zero value is scVelo's tl.velocity_confidence_transition defaults.
type TransitionConfidenceOptions struct {
	// VKey names the velocity layer and prefixes the graphs and the output
	// (default "velocity").
	VKey string
	// Scale is the transition kernel scale (default 10).
	Scale float64
	// VelocityRows, when set, supplies the velocities instead of the
	// velocity layer, which is then not read: the cells are processed in
	// consecutive row blocks of RowBlock cells, each block's velocities
	// read by one call and dropped before the next. The result is the same
	// as from the layer, except that a NaN velocity among the genes in use
	// is an error instead of dropping its gene.
	VelocityRows RowsFunc
	// RowBlock is the number of cells per VelocityRows call (0 = an
	// eighth of the cells rounded up to a multiple of 4096, the row
	// chunking of velo's h5ad layers).
	RowBlock int
	// Threads is the number of goroutines (0 = GOMAXPROCS).
	Threads int
}

// confidenceChunk is the number of cells one task processes;
// confidenceBlock the genes of one block of the expected displacements.
const (
	confidenceChunk = 512
	confidenceBlock = 64
)

// VelocityConfidence computes scVelo's tl.velocity_confidence on the
// velocity genes (var <vkey>_genes, all when absent, minus NaN columns, and
// only genes with var spearmans_score > 0.1 when that column exists):
//
//   - obs <vkey>_length: the norm of each cell's velocity after centring it
//     across genes, rounded to two decimals the way numpy rounds float32
//     (half to even on the scaled float32 value);
//   - obs <vkey>_confidence: the mean correlation of a cell's centred
//     velocity with those of its stored nearest neighbours (obsp distances,
//     no recursion), clipped at 0 (NaN where a velocity is zero, as in
//     scVelo);
//   - obs <vkey>_confidence_transition, unless SkipTransition is set: as
//     VelocityConfidenceTransition. scVelo only computes it when the
//     column is absent; velo recomputes it, so it never describes older
//     velocities.
func VelocityConfidence(ctx context.Context, a *anndata.AnnData, opts ConfidenceOptions) error {
	vkey := orDefault(opts.VKey, defaultVKey)
	vlayer, genes, err := confidenceGenes(a, vkey, nil)
	if err != nil {
		return fmt.Errorf("velocity confidence: %w", err)
	}
	dist, err := distances(a)
	if err != nil {
		return fmt.Errorf("velocity confidence: %w", err)
	}
	table, err := neighborTable(dist, 0)
	if err != nil {
		return fmt.Errorf("velocity confidence: %w", err)
	}
	n := a.NObs()
	threads := parallel.Threads(opts.Threads)
	g := len(genes)
	v := newGeneRows(vlayer, genes, threads, false)
	// Velocities are centred on the fly: Σ(v_i − m_i)(v_j − m_j) =
	// Σ v_i·v_j − s_i·s_j/g with s the row sums, all in float64, so no
	// centred copy of the layer is needed.
	sums := make([]float64, n)
	norms := make([]float64, n)
	length := make([]float32, n)
	parallel.For(n, rowChunk, threads, func(_, lo, hi int) {
		for i := lo; i < hi; i++ {
			s, ss := centredMoments(v.row(i))
			sums[i], norms[i] = s, math.Sqrt(ss)
			length[i] = roundFloat32(float32(norms[i]), 100)
		}
	})
	order := curveOrder(a, table)
	conf := make([]float64, n)
	parallel.For(n, confidenceChunk, threads, func(_, lo, hi int) {
		if ctx.Err() != nil {
			return
		}
		for _, ci := range order[lo:hi] {
			i := int(ci)
			vi := v.row(i)
			var s float64
			for _, j := range table.row(i) {
				if norms[i] == 0 || norms[j] == 0 {
					s = math.NaN() // scVelo's 0/0
					continue
				}
				c := dotF32(vi, v.row(int(j))) - sums[i]*sums[j]/float64(g)
				s += c / (norms[j] * norms[i])
			}
			conf[i] = math.Max(s/float64(table.k), 0)
			if s != s {
				conf[i] = math.NaN()
			}
		}
	})
	if err := ctx.Err(); err != nil {
		return err
	}
	var trans []float32
	if !opts.SkipTransition {
		trans, err = confidenceTransition(ctx, a, vkey, genes, velocityBlocks{layer: vlayer}, order, opts.Scale, threads)
		if err != nil {
			return fmt.Errorf("velocity confidence: %w", err)
		}
	}
	a.Obs.Set(vkey+"_length", length)
	a.Obs.Set(vkey+"_confidence", conf)
	if trans != nil {
		a.Obs.Set(vkey+"_confidence_transition", trans)
	}
	return nil
}

// VelocityConfidenceTransition computes scVelo's
// tl.velocity_confidence_transition on the genes VelocityConfidence uses:
// obs <vkey>_confidence_transition, the correlation of each cell's centred
// velocity with its centred expected displacement T·X − X under the
// default transition matrix T (uns <vkey>_graph and <vkey>_graph_neg, as
// TransitionMatrix with Scale) and X = layer Ms, 0 where either vector
// vanishes. It reads Ms whole but the velocity of each cell only when
// processing that cell, so with VelocityRows set only one row block of
// velocities is held at a time.
func VelocityConfidenceTransition(ctx context.Context, a *anndata.AnnData, opts TransitionConfidenceOptions) error {
	vkey := orDefault(opts.VKey, defaultVKey)
	vlayer, genes, err := confidenceGenes(a, vkey, opts.VelocityRows)
	if err != nil {
		return fmt.Errorf("velocity confidence transition: %w", err)
	}
	threads := parallel.Threads(opts.Threads)
	vel, err := newVelocityBlocks(a, vlayer, opts.VelocityRows, opts.RowBlock, genes, threads)
	if err != nil {
		return fmt.Errorf("velocity confidence transition: %w", err)
	}
	dist, err := distances(a)
	if err != nil {
		return fmt.Errorf("velocity confidence transition: %w", err)
	}
	table, err := neighborTable(dist, 0)
	if err != nil {
		return fmt.Errorf("velocity confidence transition: %w", err)
	}
	trans, err := confidenceTransition(ctx, a, vkey, genes, vel, curveOrder(a, table), opts.Scale, threads)
	if err != nil {
		return fmt.Errorf("velocity confidence transition: %w", err)
	}
	a.Obs.Set(vkey+"_confidence_transition", trans)
	return nil
}

// confidenceGenes returns the genes of the confidence steps: stepGenes,
// keeping only those with var spearmans_score > 0.1 when that column
// exists.
func confidenceGenes(a *anndata.AnnData, vkey string, rows RowsFunc) (array.Matrix, []int, error) {
	vlayer, genes, err := stepGenes(a, vkey, rows)
	if err != nil || !a.Var.Has("spearmans_score") {
		return vlayer, genes, err
	}
	score, err := a.Var.Float64("spearmans_score")
	if err != nil {
		return nil, nil, fmt.Errorf("var %q: %w", "spearmans_score", err)
	}
	kept := genes[:0]
	for _, g := range genes {
		if score[g] > 0.1 {
			kept = append(kept, g)
		}
	}
	if len(kept) == 0 {
		return nil, nil, fmt.Errorf("no velocity gene has var %q above 0.1", "spearmans_score")
	}
	return vlayer, kept, nil
}

// confidenceTransition correlates the centred velocities with the centred
// expected displacements T·X − X, cells in the given order, block by block
// of vel. Rows of T are made from the graphs one cell at a time, never
// stored.
func confidenceTransition(ctx context.Context, a *anndata.AnnData, vkey string, genes []int, vel velocityBlocks, order []int32, scale float64, threads int) ([]float32, error) {
	xlayer, err := layerOf(a, defaultXKey)
	if err != nil {
		return nil, err
	}
	kern, err := newTransitionKernel(a, TransitionOptions{VKey: vkey, Scale: scale})
	if err != nil {
		return nil, err
	}
	g := len(genes)
	x := newGeneRows(xlayer, genes, threads, false)
	out := make([]float32, a.NObs())
	type scratch struct {
		dx  []float64
		v   []float32
		idx []int32
		w   []float32
	}
	bufs := make(chan *scratch, threads)
	for k := 0; k < threads; k++ {
		bufs <- &scratch{dx: make([]float64, confidenceChunk*g), v: make([]float32, g)}
	}
	err = vel.each(ctx, order, func(vm array.Matrix, vlo int, block []int32) {
		vr := newRowReader(vm, genes)
		parallel.For(len(block), confidenceChunk, threads, func(_, lo, hi int) {
			if ctx.Err() != nil {
				return
			}
			buf := <-bufs
			defer func() { bufs <- buf }()
			// The chunk's rows of T, then T·X gene block by gene block for
			// all its cells: reading rows of X, not arithmetic, bounds the
			// product, and a large chunk of nearby cells with narrow blocks
			// finds most of the rows' blocks still in cache. Each entry of
			// T·X sums its terms in row order, so the blocking changes no
			// bits.
			cells := block[lo:hi]
			start := make([]int, len(cells)+1)
			idx, w := buf.idx[:0], buf.w[:0]
			for q, ci := range cells {
				var ri []int32
				var rw []float32
				ri, rw = kern.row(int(ci), idx[len(idx):], w[len(w):])
				normalizeAbs(rw)
				idx, w = append(idx, ri...), append(w, rw...)
				start[q+1] = len(idx)
			}
			buf.idx, buf.w = idx, w
			dx := buf.dx[:len(cells)*g]
			for b0 := 0; b0 < g; b0 += confidenceBlock {
				b1 := min(b0+confidenceBlock, g)
				for q := range cells {
					r, e := start[q], start[q+1]
					spmvRows(dx[q*g+b0:q*g+b1], x, b0, idx[r:e], w[r:e])
				}
			}
			for q, ci := range cells {
				i := int(ci)
				dx := dx[q*g : (q+1)*g]
				var mean float64
				for c, xv := range x.row(i) {
					dx[c] -= float64(xv)
					mean += dx[c]
				}
				mean /= float64(g)
				// The velocity's sums as VelocityConfidence's, so the
				// same bits.
				vi := buf.v
				vr.into(i-vlo, vi)
				s, ss := centredMoments(vi)
				vmean := s / float64(g)
				var dd, dv float64
				for c, vx := range vi {
					d := dx[c] - mean
					dd += d * d
					dv += d * (float64(vx) - vmean)
				}
				norm := math.Sqrt(dd) * math.Sqrt(ss)
				if norm == 0 {
					norm = 1
				}
				out[i] = float32(dv / norm)
			}
		})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func dot64(a, b []float32) float64 {
	b = b[:len(a)]
	var s float64
	for k, x := range a {
		s += float64(x) * float64(b[k])
	}
	return s
}

// roundFloat32 rounds x to 1/scale steps as numpy's around does on float32
// data: multiply in float32, round half to even, divide in float32.
func roundFloat32(x float32, scale float32) float32 {
	return float32(math.RoundToEven(float64(x*scale))) / scale
}
