package velocity

import (
	"context"
	"fmt"
	"testing"

	"github.com/velo-rna/velo/anndata"
	"github.com/velo-rna/velo/array"
)

// BenchmarkVelocity runs the whole step on synthetic data of the pancreas
// reference's shape (3696 cells × 1126 genes). Velocity only reads the
// input layers, so one AnnData serves every iteration.
func BenchmarkVelocity(b *testing.B) {
	const cells, genes = 3696, 1126
	a := synthetic(cells, genes, 10)
	for _, mode := range []string{ModeDeterministic, ModeStochastic} {
		b.Run(fmt.Sprintf("mode=%s/cells=%d/genes=%d", mode, cells, genes), func(b *testing.B) {
			for b.Loop() {
				if err := Velocity(context.Background(), shallow(a), Options{Mode: mode}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// shallow returns an AnnData sharing a's matrices with its own maps and
// frames, so a run's outputs do not accumulate on a.
func shallow(a *anndata.AnnData) *anndata.AnnData {
	c := anndata.New(a.Obs.Index, a.Var.Index)
	for k, v := range a.Layers {
		c.Layers[k] = v
	}
	for k, v := range a.Obsp {
		c.Obsp[k] = v
	}
	return c
}

// BenchmarkFitCells measures the per-gene selection, whose percentile is
// the dominant cost of the deterministic fit.
func BenchmarkFitCells(b *testing.B) {
	a := synthetic(3696, 4, 11)
	ms, mu := array.AsDense(a.Layers["Ms"]), array.AsDense(a.Layers["Mu"])
	x, y := ms.Col(nil, 2), mu.Col(nil, 2)
	b.Run("cells=3696", func(b *testing.B) {
		for b.Loop() {
			FitCells(x, y, false, [2]float64{5, 95})
		}
	})
}

// BenchmarkGeneMajor transposes one gene block of a large data set (the
// estimator does four per block).
func BenchmarkGeneMajor(b *testing.B) {
	const cells, genes = 100000, 64
	d := array.NewDense(cells, genes)
	for i := range d.Data {
		d.Data[i] = float32(i)
	}
	b.Run(fmt.Sprintf("cells=%d/genes=%d", cells, genes), func(b *testing.B) {
		b.SetBytes(int64(len(d.Data) * 4))
		for b.Loop() {
			geneMajor(d, 0)
		}
	})
}
