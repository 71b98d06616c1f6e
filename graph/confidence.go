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
	// Threads is the number of goroutines (0 = GOMAXPROCS).
	Threads int
}

const confidenceChunk = 256

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
//   - obs <vkey>_confidence_transition: the correlation of the velocity
//     with the expected displacement T·X − X under the default transition
//     matrix (X = layer Ms), 0 where either vector vanishes. scVelo only
//     computes this when the column is absent; velo always recomputes it,
//     so it never describes older velocities.
func VelocityConfidence(ctx context.Context, a *anndata.AnnData, opts ConfidenceOptions) error {
	vkey := orDefault(opts.VKey, defaultVKey)
	vlayer, err := layerOf(a, vkey)
	if err != nil {
		return fmt.Errorf("velocity confidence: %w (run velocity first)", err)
	}
	genes, err := velocityGenes(a, vkey, vlayer)
	if err != nil {
		return fmt.Errorf("velocity confidence: %w", err)
	}
	if a.Var.Has("spearmans_score") {
		score, err := a.Var.Float64("spearmans_score")
		if err != nil {
			return fmt.Errorf("velocity confidence: var %q: %w", "spearmans_score", err)
		}
		kept := genes[:0]
		for _, g := range genes {
			if score[g] > 0.1 {
				kept = append(kept, g)
			}
		}
		genes = kept
		if len(genes) == 0 {
			return fmt.Errorf("velocity confidence: no velocity gene has var %q above 0.1", "spearmans_score")
		}
	}
	dist, err := distances(a)
	if err != nil {
		return fmt.Errorf("velocity confidence: %w", err)
	}
	table, err := neighborTable(dist, 0)
	if err != nil {
		return fmt.Errorf("velocity confidence: %w", err)
	}
	g := len(genes)
	v := gather(vlayer, genes, g)
	centerRows(v, g)
	norms := rowNorms(v)
	n := a.NObs()
	length := make([]float32, n)
	for i, x := range norms {
		length[i] = roundFloat32(float32(x), 100)
	}
	conf := make([]float64, n)
	parallel.For(n, confidenceChunk, opts.Threads, func(_, lo, hi int) {
		for i := lo; i < hi; i++ {
			vi := v.Row(i)
			var s float64
			for _, j := range table.row(i) {
				s += dot64(v.Row(int(j)), vi) / (norms[j] * norms[i])
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
	trans, err := confidenceTransition(a, vkey, genes, v, opts)
	if err != nil {
		return fmt.Errorf("velocity confidence: %w", err)
	}
	a.Obs.Set(vkey+"_length", length)
	a.Obs.Set(vkey+"_confidence", conf)
	a.Obs.Set(vkey+"_confidence_transition", trans)
	return nil
}

// confidenceTransition correlates the centred velocities vc with the
// centred expected displacements T·X − X.
func confidenceTransition(a *anndata.AnnData, vkey string, genes []int, vc *array.Dense, opts ConfidenceOptions) ([]float32, error) {
	xlayer, err := layerOf(a, defaultXKey)
	if err != nil {
		return nil, err
	}
	t, err := TransitionMatrix(a, TransitionOptions{VKey: vkey, Scale: opts.Scale})
	if err != nil {
		return nil, err
	}
	g := len(genes)
	x := gather(xlayer, genes, g)
	n := x.Rows
	out := make([]float32, n)
	parallel.For(n, confidenceChunk, opts.Threads, func(_, lo, hi int) {
		dx := make([]float64, g)
		for i := lo; i < hi; i++ {
			clear(dx)
			idx, val := t.RowView(i)
			for k, j := range idx {
				p := float64(val[k])
				for c, xv := range x.Row(int(j)) {
					dx[c] += p * float64(xv)
				}
			}
			var mean float64
			for c, xv := range x.Row(i) {
				dx[c] -= float64(xv)
				mean += dx[c]
			}
			mean /= float64(g)
			var dd, dv, vv float64
			for c, vx := range vc.Row(i) {
				d := dx[c] - mean
				dd += d * d
				dv += d * float64(vx)
				vv += float64(vx) * float64(vx)
			}
			norm := math.Sqrt(dd) * math.Sqrt(vv)
			if norm == 0 {
				norm = 1
			}
			out[i] = float32(dv / norm)
		}
	})
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
