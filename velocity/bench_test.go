package velocity

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
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
		out := make([]float32, len(d.Data))
		for b.Loop() {
			geneMajor(d, out, 0)
		}
	})
}

// BenchmarkFitBlock fits one gene block of a large data set the way the
// blocked pipeline does (stochastic model, second-order moments handed
// over ready-made): at 100 000 cells a block holds 671 genes, at a million
// 64. The million-cell case runs only with VELO_BENCH_LARGE set.
func BenchmarkFitBlock(b *testing.B) {
	sizes := [][2]int{{100000, 671}}
	if os.Getenv("VELO_BENCH_LARGE") != "" {
		sizes = append(sizes, [2]int{1000000, 64})
	}
	for _, sz := range sizes {
		n, g := sz[0], sz[1]
		ms, mu, mss, mus := blockMoments(n, g)
		a := anndata.New(names("cell", n), names("gene", g))
		b.Run(fmt.Sprintf("cells=%d/genes=%d", n, g), func(b *testing.B) {
			e, err := NewEstimator(a, Options{})
			if err != nil {
				b.Fatal(err)
			}
			// The first fit picks the genes to refit; their moments are
			// then ready for the timed ones.
			var m2s, m2u *array.Dense
			blk := Block{Ms: ms, Mu: mu, SecondOrder: func(genes []int) (*array.Dense, *array.Dense, error) {
				if m2s == nil {
					m2s, m2u = mss.SelectCols(genes), mus.SelectCols(genes)
				}
				return m2s, m2u, nil
			}}
			if _, _, err := e.Fit(context.Background(), blk); err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				if _, _, err := e.Fit(context.Background(), blk); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// blockMoments returns first- and second-order moments of n cells × g
// genes: per gene a steady-state ratio with induction and repression
// deviations along a pseudotime, and some zeros.
func blockMoments(n, g int) (ms, mu, mss, mus *array.Dense) {
	r := rand.New(rand.NewPCG(12, 13))
	ms, mu, mss, mus = array.NewDense(n, g), array.NewDense(n, g), array.NewDense(n, g), array.NewDense(n, g)
	for j := 0; j < g; j++ {
		gamma, scale, phase := 0.05+r.Float64(), 0.5+10*r.Float64(), r.Float64()
		for i := 0; i < n; i++ {
			t := math.Mod(float64(i)/float64(n)+phase, 1)
			if t < 0.1 {
				continue
			}
			s := scale * (0.2 + math.Sin(math.Pi*t)) * (1 + 0.1*r.NormFloat64())
			u := gamma * s * (1 + 0.5*math.Cos(2*math.Pi*t) + 0.1*r.NormFloat64())
			k := i*g + j
			ms.Data[k], mu.Data[k] = float32(max(s, 0)), float32(max(u, 0))
			mss.Data[k], mus.Data[k] = float32(s*s*1.1), float32(s*u*1.05)
		}
	}
	return ms, mu, mss, mus
}
