package umap

import (
	"context"
	"fmt"
	"math"
	"sort"
	"testing"

	"github.com/velo-rna/velo/array"
	"gonum.org/v1/gonum/mat"
)

// csrFromEdges returns the symmetric n×n graph with the given undirected
// weighted edges.
func csrFromEdges(n int, edges [][3]float64) *array.CSR {
	d := array.NewDense(n, n)
	for _, e := range edges {
		i, j := int(e[0]), int(e[1])
		d.Set(i, j, float32(e[2]))
		d.Set(j, i, float32(e[2]))
	}
	return d.ToCSR()
}

func cycleEdges(n, offset int) [][3]float64 {
	var e [][3]float64
	for i := 0; i < n; i++ {
		e = append(e, [3]float64{float64(offset + i), float64(offset + (i+1)%n), 1})
	}
	return e
}

func TestSpectralLayoutOfCycle(t *testing.T) {
	// The normalised Laplacian of a cycle of n vertices has the repeated pair
	// of eigenvectors cos(2πi/n), sin(2πi/n) after the trivial one, so the
	// spectral layout puts the vertices on a circle, in order. The next
	// eigenvalue is cos(4π/n), a gap of 0.0059 for n = 100: eigenvectors to a
	// residual of 1e-4 are then within about 1e-4/0.0059 = 1.7 % of the
	// circle's, and radii are asked to agree to 5 %.
	for _, n := range []int{40, 100} { // dense path, Lanczos path
		t.Run(fmt.Sprintf("n=%d", n), func(t *testing.T) {
			g, err := newGraph(csrFromEdges(n, cycleEdges(n, 0)), 500)
			if err != nil {
				t.Fatal(err)
			}
			c, ok, err := spectralLayout(context.Background(), g, 0, 0, 2)
			if err != nil || !ok {
				t.Fatalf("spectralLayout: ok %v, err %v", ok, err)
			}
			r0 := math.Hypot(c[0], c[1])
			for i := 0; i < n; i++ {
				if r := math.Hypot(c[2*i], c[2*i+1]); math.Abs(r-r0) > 0.05*r0 {
					t.Fatalf("vertex %d at radius %.4g, vertex 0 at %.4g: not a circle", i, r, r0)
				}
				j := (i + 1) % n
				step := math.Abs(math.Remainder(math.Atan2(c[2*j+1], c[2*j])-math.Atan2(c[2*i+1], c[2*i]), 2*math.Pi))
				if math.Abs(step-2*math.Pi/float64(n)) > 0.1*2*math.Pi/float64(n) {
					t.Fatalf("angle step %d→%d is %.4g, want %.4g", i, j, step, 2*math.Pi/float64(n))
				}
			}
		})
	}
}

func TestEigenSolverFindsRepeatedEigenvalue(t *testing.T) {
	// A cycle of 400: the two largest non-trivial eigenvalues of
	// D^{-1/2} W D^{-1/2} are both cos(2π/400).
	const n = 400
	g, err := newGraph(csrFromEdges(n, cycleEdges(n, 0)), 500)
	if err != nil {
		t.Fatal(err)
	}
	op := &normalisedAdjacency{g: g, dinv: make([]float64, n), scaled: make([]float64, n)}
	u0 := make([]float64, n)
	for i := range u0 {
		op.dinv[i] = 1 / math.Sqrt2
		u0[i] = 1 / math.Sqrt(n)
	}
	r := newStream(1, 201, 0, 0)
	starts := [][]float64{make([]float64, n), make([]float64, n)}
	for _, st := range starts {
		for i := range st {
			st[i] = r.normal()
		}
	}
	s := &eigSolver{op: op, deflate: u0, nev: 2, maxBasis: 32, tol: 1e-9, maxMatvecs: 10000, threads: 1, rng: r}
	vals, _, ok, err := s.solve(context.Background(), starts)
	if err != nil || !ok {
		t.Fatalf("solve: ok %v, err %v", ok, err)
	}
	want := math.Cos(2 * math.Pi / n)
	for k, v := range vals {
		if math.Abs(v-want) > 1e-12 {
			t.Errorf("eigenvalue %d = %.15f, want cos(2π/%d) = %.15f", k+2, v, n, want)
		}
	}
}

func TestEigenSolverAgainstDense(t *testing.T) {
	// A random connected weighted graph: compare the solver's two largest
	// non-trivial eigenvalues of D^{-1/2} W D^{-1/2} and their eigenvectors
	// with gonum's dense symmetric eigendecomposition.
	const n = 120
	var edges [][3]float64
	r := newStream(5, 200, 0, 0)
	for i := 1; i < n; i++ {
		edges = append(edges, [3]float64{float64(i - 1), float64(i), 0.2 + r.float64()})
		for range 2 {
			j := int(r.intn(uint32(n)))
			if j != i {
				edges = append(edges, [3]float64{float64(i), float64(j), 0.1 * r.float64()})
			}
		}
	}
	g, err := newGraph(csrFromEdges(n, edges), 500)
	if err != nil {
		t.Fatal(err)
	}
	// The reference uses the graph after pruning, as the solver does.
	deg := make([]float64, n)
	for i := range deg {
		for e := g.indptr[i]; e < g.indptr[i+1]; e++ {
			deg[i] += float64(g.weights[e])
		}
	}
	dense := mat.NewSymDense(n, nil)
	for i := 0; i < n; i++ {
		for e := g.indptr[i]; e < g.indptr[i+1]; e++ {
			j := int(g.indices[e])
			dense.SetSym(i, j, float64(g.weights[e])/math.Sqrt(deg[i]*deg[j]))
		}
	}
	var es mat.EigenSym
	if !es.Factorize(dense, true) {
		t.Fatal("dense eigendecomposition failed")
	}
	vals := es.Values(nil)
	var vecs mat.Dense
	es.VectorsTo(&vecs)
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	sort.Slice(order, func(a, b int) bool { return vals[order[a]] > vals[order[b]] })

	op := &normalisedAdjacency{g: g, dinv: make([]float64, n), scaled: make([]float64, n)}
	u0 := make([]float64, n)
	var total float64
	for i, d := range deg {
		op.dinv[i] = 1 / math.Sqrt(d)
		total += d
	}
	for i, d := range deg {
		u0[i] = math.Sqrt(d / total)
	}
	newStarts := func() [][]float64 {
		starts := [][]float64{make([]float64, n), make([]float64, n)}
		for _, st := range starts {
			for i := range st {
				st[i] = r.normal()
			}
		}
		return starts
	}
	s := &eigSolver{op: op, deflate: u0, nev: 2, maxBasis: 16, tol: 1e-10, maxMatvecs: 5000, threads: 2, rng: r}
	got, gotVecs, ok, err := s.solve(context.Background(), newStarts())
	if err != nil || !ok {
		t.Fatalf("solve: ok %v, err %v", ok, err)
	}
	for k := 0; k < 2; k++ {
		want := vals[order[k+1]] // order[0] is the trivial eigenvalue 1
		if math.Abs(got[k]-want) > 1e-9 {
			t.Errorf("eigenvalue %d = %.12f, dense gives %.12f", k+2, got[k], want)
		}
		var dot float64
		for i := 0; i < n; i++ {
			dot += gotVecs[k][i] * vecs.At(i, order[k+1])
		}
		if math.Abs(math.Abs(dot)-1) > 1e-6 {
			t.Errorf("eigenvector %d: |cosine| with dense eigenvector %.9f, want 1", k+2, math.Abs(dot))
		}
	}
	if vals[order[0]] < 1-1e-12 {
		t.Fatalf("dense top eigenvalue %v, want 1 (√d)", vals[order[0]])
	}

	// A budget too small to converge reports failure rather than a guess.
	s.maxMatvecs, s.tol = 3, 1e-14
	if _, _, ok, err := s.solve(context.Background(), newStarts()); ok || err != nil {
		t.Errorf("solve with 3 products: ok %v, err %v; want not converged", ok, err)
	}
}

func TestComponentLayoutPacksComponents(t *testing.T) {
	// Three cycles of different sizes, one edge and two isolated vertices:
	// every component must get its own region of the starting layout.
	var edges [][3]float64
	sizes := []int{150, 60, 20}
	offset := 0
	var comps [][]int
	for _, s := range sizes {
		edges = append(edges, cycleEdges(s, offset)...)
		var vs []int
		for i := 0; i < s; i++ {
			vs = append(vs, offset+i)
		}
		comps = append(comps, vs)
		offset += s
	}
	edges = append(edges, [3]float64{float64(offset), float64(offset + 1), 1})
	comps = append(comps, []int{offset, offset + 1}, []int{offset + 2}, []int{offset + 3})
	n := offset + 4
	g, err := newGraph(csrFromEdges(n, edges), 500)
	if err != nil {
		t.Fatal(err)
	}
	pos, spectral, err := initialLayout(context.Background(), g, 0, 2)
	if err != nil {
		t.Fatal(err)
	}
	if !spectral {
		t.Error("cycles fell back to random coordinates")
	}
	type box struct{ x0, y0, x1, y1 float32 }
	boxes := make([]box, len(comps))
	for c, vs := range comps {
		b := box{math.MaxFloat32, math.MaxFloat32, -math.MaxFloat32, -math.MaxFloat32}
		for _, v := range vs {
			x, y := pos[2*v], pos[2*v+1]
			if x < 0 || x > 10 || y < 0 || y > 10 {
				t.Fatalf("vertex %d at (%g, %g), outside [0, 10]²", v, x, y)
			}
			b = box{min(b.x0, x), min(b.y0, y), max(b.x1, x), max(b.y1, y)}
		}
		boxes[c] = b
	}
	for a := range boxes {
		for b := a + 1; b < len(boxes); b++ {
			p, q := boxes[a], boxes[b]
			if p.x0 <= q.x1 && q.x0 <= p.x1 && p.y0 <= q.y1 && q.y0 <= p.y1 {
				t.Errorf("components %d %v and %d %v overlap", a, p, b, q)
			}
		}
	}
}
