package velocity

import (
	"context"
	"fmt"
	"math"
	"slices"
	"testing"

	"github.com/velo-rna/velo/anndata"
	"github.com/velo-rna/velo/array"
	"github.com/velo-rna/velo/preprocess"
)

// fitInBlocks runs the Estimator over blocks of width w and assembles the
// layers as Velocity would store them; it also returns how many passes the
// fit took.
func fitInBlocks(t *testing.T, a *anndata.AnnData, o Options, w int) (passes int) {
	t.Helper()
	e, err := NewEstimator(a, o)
	if err != nil {
		t.Fatal(err)
	}
	ms, mu := dense(t, a, "Ms"), dense(t, a, "Mu")
	n, g := a.NObs(), a.NVars()
	for {
		passes++
		vel, vvar := array.NewDense(n, g), array.NewDense(n, g)
		for start := 0; start < g; start += w {
			cols := make([]int, min(w, g-start))
			for k := range cols {
				cols[k] = start + k
			}
			b := Block{Start: start, Ms: ms.SelectCols(cols), Mu: mu.SelectCols(cols),
				SecondOrder: func(genes []int) (*array.Dense, *array.Dense, error) {
					global := make([]int, len(genes))
					for k, gk := range genes {
						global[k] = start + gk
					}
					return preprocess.SecondOrderMoments(a, global, 1)
				}}
			v, vv, err := e.Fit(context.Background(), b)
			if err != nil {
				t.Fatal(err)
			}
			putCols(vel, v, start)
			if vv != nil {
				putCols(vvar, vv, start)
			}
		}
		redo, err := e.Finish(a)
		if err != nil {
			t.Fatal(err)
		}
		if !redo {
			a.Layers["velocity"] = vel
			if o.stochastic() {
				a.Layers["variance_velocity"] = vvar
			}
			return passes
		}
	}
}

func putCols(dst, src *array.Dense, start int) {
	for i := 0; i < src.Rows; i++ {
		copy(dst.Row(i)[start:start+src.Cols], src.Row(i))
	}
}

// TestEstimatorBlocksMatchWhole checks that fitting in gene blocks of any
// width gives bit for bit what one Velocity call gives, including the case
// where the fallback gene choice forces a second pass.
func TestEstimatorBlocksMatchWhole(t *testing.T) {
	cases := []struct {
		name   string
		opts   Options
		passes int
	}{
		{"stochastic", Options{Mode: ModeStochastic, GammaBootstrap: 20, Seed: 3}, 1},
		{"deterministic offset", Options{Mode: ModeDeterministic, FitOffset: true}, 1},
		{"stochastic fallback", Options{Mode: ModeStochastic, MinR2: 2}, 2},
		{"stochastic no genes", Options{Mode: ModeStochastic, MinRatio: 1e9}, 2},
	}
	for _, c := range cases {
		for _, w := range []int{1, 7, 30} {
			t.Run(fmt.Sprintf("%s/width=%d", c.name, w), func(t *testing.T) {
				whole, blocked := synthetic(220, 30, 11), synthetic(220, 30, 11)
				run(t, whole, c.opts)
				if p := fitInBlocks(t, blocked, c.opts, w); p != c.passes {
					t.Errorf("%d passes, want %d", p, c.passes)
				}
				for name := range whole.Layers {
					x, y := dense(t, whole, name), dense(t, blocked, name)
					if !slices.Equal(bitsOf32(x.Data), bitsOf32(y.Data)) {
						t.Errorf("layer %s differs", name)
					}
				}
				names := func(f *anndata.Frame) []string {
					var out []string
					for _, c := range f.Columns() {
						out = append(out, c.Name)
					}
					return out
				}
				for _, col := range names(whole.Var) {
					x, _ := whole.Var.Float64(col)
					y, err := blocked.Var.Float64(col)
					if err != nil {
						t.Fatalf("var %s: %v", col, err)
					}
					if !slices.EqualFunc(x, y, func(p, q float64) bool { return p == q || math.IsNaN(p) && math.IsNaN(q) }) {
						t.Errorf("var %s differs", col)
					}
				}
				if !slices.Equal(names(whole.Var), names(blocked.Var)) {
					t.Errorf("var columns %v, want %v", names(blocked.Var), names(whole.Var))
				}
			})
		}
	}
}
