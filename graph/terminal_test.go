package graph

import (
	"context"
	"math"
	"math/cmplx"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/velo-rna/velo/array"
)

// randomChain returns a row-stochastic sparse matrix with a few heavy
// self-loops (slowly mixing states, eigenvalues near 1).
func randomChain(n int, seed uint64) *array.CSR {
	rng := rand.New(rand.NewPCG(seed, 1))
	m := &array.CSR{Rows: n, Cols: n, Indptr: make([]int64, n+1)}
	for i := 0; i < n; i++ {
		cols := map[int32]bool{int32(i): true}
		for len(cols) < 8 {
			cols[int32((i+rng.IntN(40)-20+n)%n)] = true
		}
		keys := make([]int32, 0, len(cols))
		for c := range cols {
			keys = append(keys, c)
		}
		slices.Sort(keys)
		var s float64
		vals := make([]float64, len(keys))
		for k, c := range keys {
			vals[k] = rng.Float64()
			if int(c) == i && i%97 == 0 {
				vals[k] = 200
			}
			s += vals[k]
		}
		for k, c := range keys {
			m.Indices = append(m.Indices, c)
			m.Data = append(m.Data, float32(vals[k]/s))
		}
		m.Indptr[i+1] = int64(len(m.Data))
	}
	return m
}

// The Krylov–Schur iteration must find the same leading eigenvalues (and
// eigenvectors up to scale) as a dense LAPACK decomposition of the same
// operator, for a non-symmetric chain (largest real part) and a symmetric
// kernel (largest magnitude).
func TestKrylovSchurMatchesDense(t *testing.T) {
	n := 500
	chain := randomChain(n, 3)
	ct := chain.Transpose()
	sym := addTranspose(chain)
	for _, tc := range []struct {
		name  string
		m     *array.CSR
		score func(complex128) float64
	}{
		{"chain", ct, func(z complex128) float64 { return real(z) }},
		{"symmetric", sym, func(z complex128) float64 { return math.Abs(real(z)) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := eigenProblem{op: func(dst, src []float64) { mulVec(tc.m, src, dst, 2) }, n: n, nev: 10, score: tc.score}
			got, err := p.krylovSchur(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			want, err := p.dense()
			if err != nil {
				t.Fatal(err)
			}
			for k := range want.values {
				if d := cmplx.Abs(got.values[k] - want.values[k]); d > 1e-8 {
					t.Errorf("eigenvalue %d: Krylov %v, dense %v", k, got.values[k], want.values[k])
				}
				if imag(want.values[k]) != 0 {
					continue
				}
				// Same direction: |cos| = 1.
				c := dot(got.vectors[k], want.vectors[k]) / (norm2(got.vectors[k]) * norm2(want.vectors[k]))
				if math.Abs(math.Abs(c)-1) > 1e-6 {
					t.Errorf("eigenvector %d: |cos| with dense = %g", k, math.Abs(c))
				}
			}
		})
	}
}

// spearman is the rank correlation of x and y (no ties expected).
func spearman(x, y []float64) float64 {
	rank := func(v []float64) []float64 {
		idx := make([]int, len(v))
		for i := range idx {
			idx[i] = i
		}
		slices.SortStableFunc(idx, func(a, b int) int {
			switch {
			case v[a] < v[b]:
				return -1
			case v[a] > v[b]:
				return 1
			}
			return 0
		})
		r := make([]float64, len(v))
		for k, i := range idx {
			r[i] = float64(k)
		}
		return r
	}
	rx, ry := rank(x), rank(y)
	var mx, my float64
	for i := range rx {
		mx += rx[i]
		my += ry[i]
	}
	mx /= float64(len(rx))
	my /= float64(len(ry))
	var sxy, sxx, syy float64
	for i := range rx {
		sxy += (rx[i] - mx) * (ry[i] - my)
		sxx += (rx[i] - mx) * (rx[i] - mx)
		syy += (ry[i] - my) * (ry[i] - my)
	}
	return sxy / math.Sqrt(sxx*syy)
}

// On a lattice whose velocities all point along +x, roots lie at low x,
// end points at high x and the pseudotime follows x.
func TestTerminalStatesAndPseudotimeOnTrajectory(t *testing.T) {
	for _, self := range []bool{false, true} {
		a := synthGrid(60, 4, 2, 30, "stochastic", 21) // 480 cells: Krylov path
		runGraph(t, a, GraphOptions{})
		if err := VelocityPseudotime(context.Background(), a, PseudotimeOptions{Terminal: TerminalOptions{SelfTransitions: self}}); err != nil {
			t.Fatal(err)
		}
		x := make([]float64, a.NObs())
		for i := range x {
			x[i] = float64(i % 60)
		}
		root, _ := a.Obs.Float64("root_cells")
		end, _ := a.Obs.Float64("end_points")
		pt, _ := a.Obs.Float64("velocity_pseudotime")
		meanX := func(w []float64) float64 {
			var s, sw float64
			for i, v := range w {
				s += v * x[i]
				sw += v
			}
			return s / sw
		}
		t.Logf("self transitions %v: root-weighted x %.1f, end-weighted x %.1f, Spearman(pseudotime, x) %.3f", self, meanX(root), meanX(end), spearman(pt, x))
		if mr := meanX(root); !(mr < 15) {
			t.Errorf("self transitions %v: root scores centre at x = %.1f, want the start (x < 15)", self, mr)
		}
		if me := meanX(end); !(me > 45) {
			t.Errorf("self transitions %v: end scores centre at x = %.1f, want the end (x > 45)", self, me)
		}
		if r := spearman(pt, x); r < 0.9 {
			t.Errorf("self transitions %v: Spearman(pseudotime, x) = %.3f", self, r)
		}
		lo, hi := slices.Min(pt), slices.Max(pt)
		if lo != 0 || hi != 1 {
			t.Errorf("pseudotime spans [%g, %g], want [0, 1]", lo, hi)
		}
	}
}
