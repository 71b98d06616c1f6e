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

// closedChain returns randomChain(n) with the cells [0, size),
// [size, 2·size), … turned into the given number of closed classes: their
// rows keep only the transitions within their class, renormalised.
func closedChain(n, classes, size int, seed uint64) *array.CSR {
	m := randomChain(n, seed)
	out := &array.CSR{Rows: n, Cols: n, Indptr: make([]int64, n+1)}
	for i := 0; i < n; i++ {
		idx, val := m.RowView(i)
		lo, hi := int32(0), int32(n)
		if i < classes*size {
			lo = int32(i / size * size)
			hi = lo + int32(size)
		}
		var s float64
		for k, j := range idx {
			if j >= lo && j < hi {
				s += float64(val[k])
			}
		}
		for k, j := range idx {
			if j >= lo && j < hi {
				out.Indices = append(out.Indices, j)
				out.Data = append(out.Data, float32(float64(val[k])/s))
			}
		}
		out.Indptr[i+1] = int64(len(out.Indices))
	}
	return out
}

// With two closed classes the eigenvalue 1 of Tᵀ is double, which a
// Krylov space finds only through rounding. Started from the classes'
// stationary distributions (locked), the iteration must find the same
// leading eigenvalues ≥ 1 − 1e-3 as a dense decomposition (the others only
// stay below), in no more products than without them.
func TestKrylovSchurLockedClasses(t *testing.T) {
	n := 600
	tm := closedChain(n, 2, 100, 5)
	c := newChain(tm, 1) // forward: tt = Tᵀ
	c.forward(1)
	classes := c.closedClasses()
	if len(classes) != 2 {
		t.Fatalf("%d closed classes, want 2", len(classes))
	}
	unit, err := c.stationaries(context.Background(), classes, 1)
	if err != nil {
		t.Fatal(err)
	}
	products := 0
	p := eigenProblem{op: func(dst, src []float64) { products++; c.apply(dst, src, 1) }, n: n, nev: 10,
		score: func(z complex128) float64 { return real(z) }}
	want, err := p.dense()
	if err != nil {
		t.Fatal(err)
	}
	if real(want.values[1]) < 1-1e-12 {
		t.Fatalf("dense eigenvalues %v: want 1 twice", want.values[:2])
	}
	// As unitEigenvectors asks: only eigenvalues ≥ 1 − 1e-3 in full.
	p.partial, p.cutoff = true, 1-defaultEps
	products = 0
	if _, err := p.krylovSchur(context.Background()); err != nil {
		t.Fatal(err)
	}
	plain := products
	p.lock, products = unit, 0
	got, err := p.krylovSchur(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("products: %d without the classes, %d with them locked", plain, products)
	if products > plain {
		t.Errorf("locking the classes took %d products, more than %d", products, plain)
	}
	for k := range want.values {
		d := cmplx.Abs(got.values[k] - want.values[k])
		switch {
		case real(want.values[k]) >= p.cutoff && d > 1e-8:
			t.Errorf("eigenvalue %d: Krylov %v, dense %v", k, got.values[k], want.values[k])
		case real(want.values[k]) < p.cutoff && real(got.values[k]) >= p.cutoff:
			t.Errorf("eigenvalue %d: Krylov %v above the cutoff, dense %v below", k, got.values[k], want.values[k])
		}
	}
	// Each stationary distribution is a unit eigenvector of tt on its
	// class alone, whichever way it was solved.
	ax := make([]float64, n)
	for k, v := range unit {
		c.apply(ax, v, 1)
		for i := range v {
			inClass := slices.Contains(classes[k], int32(i))
			if math.Abs(ax[i]-v[i]) > 1e-9*norm2(v) || (!inClass && v[i] != 0) {
				t.Fatalf("class %d: entry %d of the stationary vector %g, of tt·v %g", k, i, v[i], ax[i])
			}
		}
	}
	// The same bits with 4 threads, for the products, the vector work and
	// the stationary distributions.
	c4 := newChain(tm, 4)
	c4.forward(4)
	unit4, err := c4.stationaries(context.Background(), c4.closedClasses(), 4)
	if err != nil {
		t.Fatal(err)
	}
	p4 := p
	p4.op = func(dst, src []float64) { c4.apply(dst, src, 4) }
	p4.lock, p4.threads = unit4, 4
	got4, err := p4.krylovSchur(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got4.values, got.values) || !slices.EqualFunc(got4.vectors, got.vectors, slices.Equal) {
		t.Error("locked iteration differs between 1 and 4 threads")
	}
	whole, err := c.stationaryInPlace(context.Background(), classes[1], 1)
	if err != nil {
		t.Fatal(err)
	}
	if cos := dot(whole, unit[1]) / (norm2(whole) * norm2(unit[1])); math.Abs(math.Abs(cos)-1) > 1e-9 {
		t.Errorf("stationary distribution on the whole chain vs on its block: |cos| = %g", math.Abs(cos))
	}
	whole4, err := c4.stationaryInPlace(context.Background(), classes[1], 4)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(whole, whole4) {
		t.Error("stationary distribution on the whole chain differs between 1 and 4 threads")
	}
}

// With more closed classes than eigenvalues asked for, the ten of largest
// real part are all 1 and the unit eigenvectors are the stationary
// distributions of the first ten classes, one per class.
func TestUnitEigenvectorsManyClasses(t *testing.T) {
	const n, classes, size = 600, 12, 25
	c := newChain(closedChain(n, classes, size, 9), 2)
	c.forward(2)
	vecs, err := unitEigenvectors(context.Background(), c, defaultEps, 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(vecs) != terminalNev {
		t.Fatalf("%d unit eigenvectors, want %d", len(vecs), terminalNev)
	}
	ax := make([]float64, n)
	for k, v := range vecs {
		for i, x := range v {
			if i/size != k && x != 0 {
				t.Fatalf("vector %d has %g at cell %d, outside its class", k, x, i)
			}
		}
		if slices.Max(v) != 1 {
			t.Errorf("vector %d has maximum %g, want 1", k, slices.Max(v))
		}
		// Its support is a closed class: tt keeps it there.
		c.apply(ax, v, 2)
		var in, out float64
		for i := range ax {
			if i/size == k {
				in += ax[i]
			} else {
				out += math.Abs(ax[i])
			}
		}
		if out != 0 || in == 0 {
			t.Errorf("tt·v of vector %d leaves its class: %g outside, %g inside", k, out, in)
		}
	}
}

// nearlyClosedChain is a 600-cell transition matrix with a closed class,
// the ring of cells [0, 20) (each cell stays or moves on with probability
// ½), a nearly closed ring [20, 40) that leaks the given weight from cell
// 20 to cell 40, and transient cells that move on or into the class.
func nearlyClosedChain(leak float64) *array.CSR {
	const n = 600
	m := &array.CSR{Rows: n, Cols: n, Indptr: make([]int64, n+1)}
	for i := 0; i < n; i++ {
		w := map[int32]float64{}
		switch {
		case i < 20:
			w[int32(i)] += 0.5
			w[int32((i+1)%20)] += 0.5
		case i < 40:
			w[int32(i)] += 0.5
			w[int32(20+(i-19)%20)] += 0.5
			if i == 20 {
				w[21] -= leak
				w[40] += leak
			}
		default:
			w[int32(i)] += 0.25
			w[int32((i+1)%n)] += 0.5
			w[int32(i%20)] += 0.25
		}
		cols := make([]int32, 0, len(w))
		for c := range w {
			cols = append(cols, c)
		}
		slices.Sort(cols)
		for _, c := range cols {
			m.Indices = append(m.Indices, c)
			m.Data = append(m.Data, float32(w[c]))
		}
		m.Indptr[i+1] = int64(len(m.Indices))
	}
	return m
}

// When the iteration on a chain with one closed class exceeds its budget,
// it starts again from the class's stationary distribution: the unit
// eigenvectors are the same as without the budget where the eigenvalues
// are apart (a leak of 1e-4), and where they lie within rounding of each
// other (1e-9) they are the class's and the nearly closed set's.
func TestUnitEigenvectorsBeyondBudget(t *testing.T) {
	mass := func(v []float64, lo, hi int) float64 {
		var s float64
		for _, x := range v[lo:hi] {
			s += x
		}
		return s
	}
	for _, leak := range []float64{1e-4, 1e-9} {
		var got [2][][]float64
		for k, budget := range []int{0, 5} {
			c := newChain(nearlyClosedChain(leak), 2)
			c.forward(2)
			c.unitBudget = budget
			if cl := c.closedClasses(); len(cl) != 1 || len(cl[0]) != 20 {
				t.Fatalf("closed classes %v, want the ring [0, 20)", cl)
			}
			vecs, err := unitEigenvectors(context.Background(), c, defaultEps, 2)
			if err != nil {
				t.Fatal(err)
			}
			got[k] = vecs
		}
		fallback := got[1]
		if len(fallback) != 2 {
			t.Fatalf("leak %g: %d unit eigenvectors beyond the budget, want 2", leak, len(fallback))
		}
		t.Logf("leak %g: %d unit eigenvectors within the budget; beyond it the class's (fraction %.3g on the class) and one with %.3g of %.3g on the set",
			leak, len(got[0]), mass(fallback[0], 0, 20)/mass(fallback[0], 0, 600), mass(fallback[1], 20, 40), mass(fallback[1], 0, 600))
		if mass(fallback[0], 0, 20) != mass(fallback[0], 0, 600) {
			t.Errorf("leak %g: the first unit eigenvector is not the class's stationary distribution", leak)
		}
		// The set is 20 of 600 cells; the vector also spreads over the
		// transient cells the leak reaches.
		if !(mass(fallback[1], 20, 40) > 0.3*mass(fallback[1], 0, 600)) {
			t.Errorf("leak %g: the second unit eigenvector does not lie on the nearly closed set", leak)
		}
		if leak > unitSlack {
			if len(got[0]) != 2 {
				t.Fatalf("leak %g: %d unit eigenvectors within the budget, want 2", leak, len(got[0]))
			}
			for k := range got[0] {
				for i, x := range got[0][k] {
					// Both converged to a 1e-10 residual; the vectors are
					// scaled to a maximum of 1.
					if math.Abs(x-fallback[k][i]) > 1e-6 {
						t.Fatalf("leak %g: vector %d entry %d: %g within the budget, %g beyond", leak, k, i, x, fallback[k][i])
					}
				}
			}
		}
	}
}
