package graph

import (
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/velo-rna/velo/anndata"
	"github.com/velo-rna/velo/array"
)

// The float32→float64 helpers (SIMD where available) must match the
// portable versions: axpy exactly (both fuse the multiply-add), the dot
// product to float64 rounding.
func TestFloat32Helpers(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, g := range []int{1, 7, 8, 9, 330, 1239} {
		x, y := make([]float32, g), make([]float32, g)
		var mag float64
		for k := range x {
			x[k], y[k] = float32(rng.NormFloat64()), float32(rng.NormFloat64())
			mag += math.Abs(float64(x[k]) * float64(y[k]))
		}
		d0, d1 := make([]float64, g), make([]float64, g)
		for k := range d0 {
			d0[k] = rng.NormFloat64()
		}
		copy(d1, d0)
		axpyF32Go(d0, 0.37, x)
		axpyF32(d1, 0.37, x)
		if !slices.Equal(d0, d1) {
			t.Errorf("g=%d: axpyF32 differs from the portable version", g)
		}
		if a, b := dotF32Go(x, y), dotF32(x, y); math.Abs(a-b) > 1e-14*mag {
			t.Errorf("g=%d: dotF32 %g, portable %g", g, b, a)
		}
	}
}

func TestExpm1(t *testing.T) {
	for x := -12.0; x <= 12; x += 0.0137 {
		for _, y := range []float64{x, x * 1e-3, x * 1e-9} {
			want := math.Expm1(y)
			if got := expm1(y); math.Abs(got-want) > 1e-15*math.Abs(want) { // a few ulps: the weights are rounded to float32
				t.Fatalf("expm1(%g) = %.17g, math.Expm1 %.17g", y, got, want)
			}
		}
	}
}

// The locality order visits every cell exactly once.
func TestLocalityOrderIsPermutation(t *testing.T) {
	a := synthGrid(9, 7, 5, 10, "stochastic", 2)
	dist, _ := distances(a)
	table, err := neighborTable(dist, 0)
	if err != nil {
		t.Fatal(err)
	}
	order := localityOrder(table, a.NObs())
	sorted := slices.Clone(order)
	slices.Sort(sorted)
	for i, c := range sorted {
		if int(c) != i {
			t.Fatalf("order is not a permutation of the %d cells", a.NObs())
		}
	}
}

// restrictToGenes returns a view of a holding only the velocity genes, as
// the pipeline gives the graph steps on large data: the layers are then
// used in place instead of gathered.
func restrictToGenes(a *anndata.AnnData, genes []int) *anndata.AnnData {
	names := make([]string, len(genes))
	for k, g := range genes {
		names[k] = a.Var.Index[g]
	}
	b := anndata.New(a.Obs.Index, names)
	b.Obs = a.Obs
	b.Obsm, b.Obsp, b.Uns = a.Obsm, a.Obsp, a.Uns
	for _, key := range []string{"Ms", "velocity"} {
		b.Layers[key] = array.AsDense(a.Layers[key]).SelectCols(genes)
	}
	return b
}

// Layers read in place (all columns are velocity genes) and layers
// gathered from a wider matrix give the same bits.
func TestInPlaceLayersMatchGathered(t *testing.T) {
	for _, mode := range []string{"stochastic", "deterministic"} {
		full := synthGrid(12, 6, 4, 40, mode, 5)
		keep := make([]bool, full.NVars())
		var genes []int
		for g := range keep {
			keep[g] = g%3 != 0
			if keep[g] {
				genes = append(genes, g)
			}
		}
		full.Var.Set("velocity_genes", keep)
		ctx := context.Background()
		run := func(a *anndata.AnnData) *anndata.AnnData {
			if err := VelocityGraph(ctx, a, GraphOptions{}); err != nil {
				t.Fatal(err)
			}
			if err := VelocityConfidence(ctx, a, ConfidenceOptions{}); err != nil {
				t.Fatal(err)
			}
			return a
		}
		run(full)
		fullGraph := full.Uns["velocity_graph"].(*array.CSR)
		view := restrictToGenes(full, genes)
		view.Uns = map[string]any{"velocity_params": map[string]any{"mode": mode}}
		view.Obs = full.Obs.Subset(seq(full.NObs()))
		run(view)
		got := view.Uns["velocity_graph"].(*array.CSR)
		if !slices.Equal(got.Indptr, fullGraph.Indptr) || !slices.Equal(got.Indices, fullGraph.Indices) || !slices.Equal(got.Data, fullGraph.Data) {
			t.Errorf("%s: graph from in-place layers differs from the gathered one", mode)
		}
		for _, key := range []string{"velocity_confidence", "velocity_confidence_transition", "velocity_length"} {
			x, _ := full.Obs.Float64(key)
			y, _ := view.Obs.Float64(key)
			if !slices.EqualFunc(x, y, func(p, q float64) bool { return p == q || (p != p && q != q) }) {
				t.Errorf("%s: obs %s from in-place layers differs from the gathered one", mode, key)
			}
		}
	}
}

func seq(n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = i
	}
	return s
}

// The chains applied from one kernel match the transposed transition
// matrices of TransitionMatrix (backward and forward) up to the float32
// rounding of the stored normalised entries, and the DPT operator is
// symmetric and matches F·(G + Gᵀ)·F built densely.
func TestChainOperatorsFromOneKernel(t *testing.T) {
	a := synthGrid(10, 6, 3, 30, "stochastic", 9)
	if err := VelocityGraph(context.Background(), a, GraphOptions{}); err != nil {
		t.Fatal(err)
	}
	kern, err := newTransitionKernel(a, TransitionOptions{NoSelfTransitions: true})
	if err != nil {
		t.Fatal(err)
	}
	n := a.NObs()
	x := make([]float64, n)
	for i := range x {
		x[i] = math.Sin(float64(i)) + 1.5
	}
	c := newChain(kern.matrix(2), 2)
	for _, backward := range []bool{true, false} {
		if !backward {
			c.forward(2)
		}
		tm, err := TransitionMatrix(a, TransitionOptions{NoSelfTransitions: true, Backward: backward})
		if err != nil {
			t.Fatal(err)
		}
		want := make([]float64, n)
		mulVec(tm.Transpose(), x, want, 1)
		got := make([]float64, n)
		c.apply(got, x, 2)
		for i := range got {
			// float32 storage of the normalised entries: ~1e-7 relative each.
			if math.Abs(got[i]-want[i]) > 1e-6*math.Abs(want[i]) {
				t.Fatalf("backward=%v: (tt·x)[%d] = %g, want %g", backward, i, got[i], want[i])
			}
		}
	}
	pos, neg, _ := velocityGraphs(a, "velocity")
	k := make([][]float64, n)
	for i := range k {
		k[i] = make([]float64, n)
	}
	for _, g := range []struct {
		m    *array.CSR
		sign float64
	}{{pos, 1}, {neg, -1}} {
		for i := 0; i < n; i++ {
			idx, val := g.m.RowView(i)
			for p, j := range idx {
				k[i][j] += g.sign * float64(val[p])
				k[j][i] += g.sign * float64(val[p])
			}
		}
	}
	q := make([]float64, n)
	for i := range k {
		for _, v := range k[i] {
			q[i] += v
		}
		if q[i] == 0 {
			q[i] = 1
		}
	}
	f := make([]float64, n)
	for i := range k {
		var z float64
		for j, v := range k[i] {
			z += v / q[j]
		}
		if z /= q[i]; z > 0 {
			f[i] = 1 / (q[i] * math.Sqrt(z))
		}
	}
	op := dptOperator(pos, neg, 2)
	got := make([]float64, n)
	op(got, x)
	for i := range got {
		var want float64
		for j, v := range k[i] {
			want += f[i] * v * f[j] * x[j]
		}
		// Summation order only: float64 rounding.
		if math.Abs(got[i]-want) > 1e-12*math.Abs(want) {
			t.Fatalf("DPT operator row %d: %g, want %g", i, got[i], want)
		}
	}
}

// A chain with two closed classes ({0, 1} and the cycle {2, 3, 4}) and a
// transient cell 5 that leaks into both: the classes are found, and each
// stationary distribution is uniform on its class and zero elsewhere.
func TestClosedClassesAndStationary(t *testing.T) {
	// Transitions c → r as entries (r, c) of tt = Tᵀ.
	edges := map[[2]int]float32{{1, 0}: 1, {0, 1}: 1, {3, 2}: 1, {4, 3}: 1, {2, 4}: 1, {0, 5}: 0.5, {2, 5}: 0.5}
	n := 6
	tt := &array.CSR{Rows: n, Cols: n, Indptr: make([]int64, n+1)}
	for r := 0; r < n; r++ {
		for c := 0; c < n; c++ {
			if v, ok := edges[[2]int{r, c}]; ok {
				tt.Indices = append(tt.Indices, int32(c))
				tt.Data = append(tt.Data, v)
			}
		}
		tt.Indptr[r+1] = int64(len(tt.Indices))
	}
	classes := closedClasses(tt, false)
	if len(classes) != 2 || !slices.Equal(classes[0], []int32{0, 1}) || !slices.Equal(classes[1], []int32{2, 3, 4}) {
		t.Fatalf("closed classes %v, want [[0 1] [2 3 4]]", classes)
	}
	if fromT := closedClasses(tt.Transpose(), true); !slices.EqualFunc(fromT, classes, slices.Equal) {
		t.Fatalf("closed classes from the transition pattern %v, want %v", fromT, classes)
	}
	ones := []float64{1, 1, 1, 1, 1, 1}
	c := &chain{k: tt, inv: ones}
	pos := []int32{-1, -1, -1, -1, -1, -1}
	for _, members := range classes {
		v, err := stationary(context.Background(), c.block(members, pos), members, n)
		if err != nil {
			t.Fatal(err)
		}
		first := v[members[0]]
		for i, x := range v {
			inside := slices.Contains(members, int32(i))
			if inside && math.Abs(x-first) > 1e-12*math.Abs(first) || !inside && x != 0 || first == 0 {
				t.Errorf("class %v: stationary vector %v is not uniform on the class", members, v)
				break
			}
		}
	}
	if !slices.Equal(pos, []int32{-1, -1, -1, -1, -1, -1}) {
		t.Errorf("block left its scratch dirty: %v", pos)
	}
}
