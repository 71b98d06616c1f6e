package graph

import (
	"context"
	"github.com/velo-rna/velo/internal/numeric"
	"maps"
	"math"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/velo-rna/velo/anndata"
	"github.com/velo-rna/velo/array"
	"github.com/velo-rna/velo/format/h5ad"
	"github.com/velo-rna/velo/internal/testenv"
)

// Tests against scVelo 0.3.3's pancreas reference (behind VELO_TESTDATA).
// Input: preprocessed.h5ad (neighbours, embeddings, clusters) + layer Ms
// from moments.h5ad + layer velocity, var velocity_genes and uns
// velocity_params from <mode>.h5ad; the same <mode>.h5ad holds scVelo's
// outputs.

var refFiles sync.Map // path → *anndata.AnnData

func readRef(t testing.TB, name string) *anndata.AnnData {
	t.Helper()
	path := testenv.Path(t, "reference", "pancreas", name)
	if a, ok := refFiles.Load(path); ok {
		return a.(*anndata.AnnData)
	}
	a, err := h5ad.Read(path)
	if err != nil {
		t.Fatalf("reading %s: %v", path, err)
	}
	refFiles.Store(path, a)
	return a
}

// pancreasInput returns a fresh AnnData for one test (shared read-only
// matrices, own maps and tables) and scVelo's output file for mode.
func pancreasInput(t testing.TB, mode string) (in, ref *anndata.AnnData) {
	t.Helper()
	prep := readRef(t, "preprocessed.h5ad")
	mom := readRef(t, "moments.h5ad")
	ref = readRef(t, mode+".h5ad")
	n, g := prep.NObs(), prep.NVars()
	all := func(k int) []int {
		idx := make([]int, k)
		for i := range idx {
			idx[i] = i
		}
		return idx
	}
	in = anndata.New(prep.Obs.Index, prep.Var.Index)
	in.Obs = prep.Obs.Subset(all(n))
	in.Var = ref.Var.Subset(all(g))
	in.Layers["Ms"] = mom.Layers["Ms"]
	in.Layers["velocity"] = ref.Layers["velocity"]
	maps.Copy(in.Obsm, prep.Obsm)
	maps.Copy(in.Obsp, prep.Obsp)
	in.Uns["velocity_params"] = maps.Clone(ref.Uns["velocity_params"].(map[string]any))
	return in, ref
}

// graphAgreement returns the Jaccard index of the stored patterns and the
// largest difference over their union (an entry missing on one side counts
// as 0 there).
func graphAgreement(got, want *array.CSR) (jaccard, maxDiff float64) {
	inter, union := 0, 0
	for i := 0; i < want.Rows; i++ {
		gi, gv := got.RowView(i)
		wi, wv := want.RowView(i)
		p, q := 0, 0
		for p < len(gi) || q < len(wi) {
			union++
			switch {
			case q >= len(wi) || (p < len(gi) && gi[p] < wi[q]):
				maxDiff = math.Max(maxDiff, math.Abs(float64(gv[p])))
				p++
			case p >= len(gi) || wi[q] < gi[p]:
				maxDiff = math.Max(maxDiff, math.Abs(float64(wv[q])))
				q++
			default:
				inter++
				maxDiff = math.Max(maxDiff, math.Abs(float64(gv[p]-wv[q])))
				p++
				q++
			}
		}
	}
	return float64(inter) / float64(union), maxDiff
}

func maxAbsDiff(t *testing.T, a, b *anndata.AnnData, key string) float64 {
	t.Helper()
	x, err := a.Obs.Float64(key)
	if err != nil {
		t.Fatalf("velo obs %s: %v", key, err)
	}
	y, err := b.Obs.Float64(key)
	if err != nil {
		t.Fatalf("scVelo obs %s: %v", key, err)
	}
	m := 0.0
	for i := range x {
		if math.IsNaN(x[i]) != math.IsNaN(y[i]) {
			return math.Inf(1)
		}
		if !math.IsNaN(x[i]) {
			m = math.Max(m, math.Abs(x[i]-y[i]))
		}
	}
	return m
}

// rowCosines returns the cosine between corresponding rows (NaN rows must
// be NaN on both sides and are skipped; a mismatch gives −1).
func rowCosines(got, want *array.Dense) []float64 {
	var out []float64
	for i := 0; i < want.Rows; i++ {
		var ab, aa, bb float64
		na, nb := false, false
		for c := 0; c < want.Cols; c++ {
			x, y := float64(got.At(i, c)), float64(want.At(i, c))
			na = na || math.IsNaN(x)
			nb = nb || math.IsNaN(y)
			ab += x * y
			aa += x * x
			bb += y * y
		}
		switch {
		case na != nb:
			out = append(out, -1)
		case !na:
			out = append(out, ab/math.Sqrt(aa*bb))
		}
	}
	return out
}

func TestPancreasVelocityGraph(t *testing.T) {
	for _, mode := range []string{"stochastic", "deterministic"} {
		t.Run(mode, func(t *testing.T) {
			in, ref := pancreasInput(t, mode)
			start := time.Now()
			if err := VelocityGraph(context.Background(), in, GraphOptions{}); err != nil {
				t.Fatal(err)
			}
			elapsed := time.Since(start)
			for _, key := range []string{"velocity_graph", "velocity_graph_neg"} {
				got := in.Uns[key].(*array.CSR)
				want := ref.Uns[key].(*array.CSR)
				if err := got.Validate(); err != nil {
					t.Fatalf("%s: %v", key, err)
				}
				jac, diff := graphAgreement(got, want)
				t.Logf("%s %s: %d vs %d entries, Jaccard %.6f, max |Δ| %.2g", mode, key, got.NNZ(), want.NNZ(), jac, diff)
				// scVelo computes the cosines in float32; 1e-4 leaves
				// room for its rounding (observed ~1e-6).
				if jac < 0.999 || diff > 1e-4 {
					t.Errorf("%s: Jaccard %.6f (want ≥ 0.999), max |Δ| %.3g (want ≤ 1e-4)", key, jac, diff)
				}
			}
			if d := maxAbsDiff(t, in, ref, "velocity_self_transition"); d > 1e-3 {
				t.Errorf("velocity_self_transition max |Δ| %.3g, want ≤ 1e-3", d)
			} else {
				t.Logf("%s velocity_self_transition max |Δ| %.2g; graph computed in %v", mode, d, elapsed)
			}
		})
	}
}

func TestPancreasEmbeddingAndConfidence(t *testing.T) {
	for _, mode := range []string{"stochastic", "deterministic"} {
		t.Run(mode, func(t *testing.T) {
			in, ref := pancreasInput(t, mode)
			ctx := context.Background()
			if err := VelocityGraph(ctx, in, GraphOptions{}); err != nil {
				t.Fatal(err)
			}
			for _, basis := range []string{"pca", "umap"} {
				if err := VelocityEmbedding(ctx, in, EmbeddingOptions{Basis: basis}); err != nil {
					t.Fatal(err)
				}
				for _, key := range []string{"velocity_" + basis, "velocity_" + basis + "_raw"} {
					cs := rowCosines(in.Obsm[key], ref.Obsm[key])
					med, p5 := numeric.Percentile(cs, 50), numeric.Percentile(cs, 5)
					t.Logf("%s %s: per-cell cosine median %.8f, 5th percentile %.8f, min %.6f", mode, key, med, p5, slices.Min(cs))
					if med < 0.9999 || p5 < 0.999 {
						t.Errorf("%s: cosine median %.6f (want ≥ 0.9999), 5th percentile %.6f (want ≥ 0.999)", key, med, p5)
					}
				}
			}
			if err := VelocityConfidence(ctx, in, ConfidenceOptions{}); err != nil {
				t.Fatal(err)
			}
			for _, tc := range []struct {
				key string
				tol float64
			}{
				{"velocity_confidence", 1e-3},
				{"velocity_confidence_transition", 1e-3},
				// Rounded to 2 decimals from float32 norms: a norm within
				// rounding error of a half step may round the other way.
				{"velocity_length", 0.01 + 1e-6},
			} {
				d := maxAbsDiff(t, in, ref, tc.key)
				t.Logf("%s %s max |Δ| %.2g", mode, tc.key, d)
				if d > tc.tol {
					t.Errorf("%s max |Δ| %.3g, want ≤ %g", tc.key, d, tc.tol)
				}
			}
		})
	}
}

func TestPancreasThreadsDeterminism(t *testing.T) {
	var graphs [2]*array.CSR
	for k, threads := range []int{1, 4} {
		in, _ := pancreasInput(t, "stochastic")
		if err := VelocityGraph(context.Background(), in, GraphOptions{Threads: threads}); err != nil {
			t.Fatal(err)
		}
		graphs[k] = in.Uns["velocity_graph"].(*array.CSR)
	}
	if !slices.Equal(graphs[0].Indices, graphs[1].Indices) || !slices.Equal(graphs[0].Data, graphs[1].Data) {
		t.Error("velocity graph differs between 1 and 4 threads")
	}
}

// pancreasEdges are the seven transitions of the pancreas benchmark.
const pancreasEdges = "Ductal>Ngn3 low EP,Ngn3 low EP>Ngn3 high EP,Ngn3 high EP>Pre-endocrine," +
	"Pre-endocrine>Alpha,Pre-endocrine>Beta,Pre-endocrine>Delta,Pre-endocrine>Epsilon"

func TestPancreasCBDir(t *testing.T) {
	edges, err := ParseEdges(pancreasEdges)
	if err != nil {
		t.Fatal(err)
	}
	in, ref := pancreasInput(t, "stochastic")
	// scVelo's arrows on scVelo's embedding and neighbours.
	scv, _ := pancreasInput(t, "stochastic")
	scv.Obsm["velocity_umap"] = ref.Obsm["velocity_umap"]
	wantEdges, wantMean, err := CBDir(scv, "umap", "clusters", edges, 0)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := VelocityGraph(ctx, in, GraphOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := VelocityEmbedding(ctx, in, EmbeddingOptions{Basis: "umap"}); err != nil {
		t.Fatal(err)
	}
	gotEdges, gotMean, err := CBDir(in, "umap", "clusters", edges, 0)
	if err != nil {
		t.Fatal(err)
	}
	for k, e := range edges {
		t.Logf("CBDir %s→%s: scVelo %.4f, velo %.4f", e[0], e[1], wantEdges[k], gotEdges[k])
		if math.Abs(gotEdges[k]-wantEdges[k]) > 0.02 {
			t.Errorf("CBDir %s→%s: velo %.4f vs scVelo %.4f", e[0], e[1], gotEdges[k], wantEdges[k])
		}
	}
	t.Logf("CBDir mean over 7 edges: scVelo %.4f, velo %.4f", wantMean, gotMean)
	if math.Abs(gotMean-wantMean) > 0.02 {
		t.Errorf("CBDir mean: velo %.4f vs scVelo %.4f", gotMean, wantMean)
	}
	per, mean, err := ICCoh(in, "clusters", 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("ICCoh per cluster %v, mean %.4f", per, mean)
}

// clusterMedians returns the median of obs[key] per cluster.
func clusterMedians(t *testing.T, a *anndata.AnnData, key string) map[string]float64 {
	t.Helper()
	labels, err := a.Obs.Strings("clusters")
	if err != nil {
		t.Fatal(err)
	}
	v, err := a.Obs.Float64(key)
	if err != nil {
		t.Fatal(err)
	}
	by := map[string][]float64{}
	for i, l := range labels {
		if !math.IsNaN(v[i]) {
			by[l] = append(by[l], v[i])
		}
	}
	out := map[string]float64{}
	for l, x := range by {
		out[l] = numeric.Percentile(x, 50)
	}
	return out
}

func argmaxKey(m map[string]float64) string {
	best := ""
	for _, k := range anndata.SortedKeys(m) {
		if best == "" || m[k] > m[best] {
			best = k
		}
	}
	return best
}

var endocrine = []string{"Alpha", "Beta", "Delta", "Epsilon"}

// Terminal states and pseudotime cannot be compared value by value
// (scVelo's come from randomly started ARPACK and are not stored in the
// reference); the leading eigenvalues can, and the biology can.
func TestPancreasTerminalStatesAndPseudotime(t *testing.T) {
	in, _ := pancreasInput(t, "stochastic")
	ctx := context.Background()
	if err := VelocityGraph(ctx, in, GraphOptions{}); err != nil {
		t.Fatal(err)
	}
	// Leading eigenvalues of Tᵀ (self_transitions=False) from scipy's
	// eigs(k=10, which='LR') on scVelo's graph for the same input.
	for _, tc := range []struct {
		backward bool
		want     []float64
	}{
		{true, []float64{0.988012, 0.928438, 0.913023, 0.842769}},
		{false, []float64{0.999997, 0.984804, 0.984555, 0.885285}},
	} {
		tm, err := TransitionMatrix(in, TransitionOptions{NoSelfTransitions: true, Backward: tc.backward})
		if err != nil {
			t.Fatal(err)
		}
		tt := tm.Transpose()
		p := eigenProblem{op: func(dst, src []float64) { mulVec(tt, src, dst, 0) }, n: tm.Rows, nev: 10,
			score: func(z complex128) float64 { return real(z) }}
		pairs, err := p.solve(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for k, w := range tc.want {
			if got := real(pairs.values[k]); math.Abs(got-w) > 1e-4 {
				t.Errorf("backward=%v eigenvalue %d = %.6f, scipy %.6f", tc.backward, k, got, w)
			}
		}
	}

	// scVelo's defaults: 20 cells receive no transitions, so the backward
	// chain leaks and no eigenvalue reaches 1 − 1e-3: root_cells is all
	// zero, as in scVelo. The forward chain has one (near-)unit eigenvalue,
	// whose stationary state lies in Beta.
	start := time.Now()
	if err := VelocityPseudotime(ctx, in, PseudotimeOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Logf("terminal states + pseudotime in %v", time.Since(start))
	roots, _ := in.Obs.Float64("root_cells")
	if slices.Max(roots) != 0 {
		t.Errorf("root_cells has maximum %g, want 0 (no unit eigenvalue)", slices.Max(roots))
	}
	ends := clusterMeans(t, in, "end_points")
	t.Logf("end_points cluster means %v", ends)
	top := argmaxKey(ends)
	if !slices.Contains(endocrine, top) {
		t.Errorf("end points concentrate in %s, want an endocrine cluster", top)
	}
	// Without a root the pseudotime is one minus the DPT distance from the
	// end point: progenitors in differentiation order, the end-point
	// cluster last.
	pt := clusterMedians(t, in, "velocity_pseudotime")
	t.Logf("velocity_pseudotime cluster medians %v", pt)
	order := []string{"Ductal", "Ngn3 low EP", "Ngn3 high EP", "Pre-endocrine", top}
	for k := 1; k < len(order); k++ {
		if !(pt[order[k-1]] < pt[order[k]]) {
			t.Errorf("pseudotime median %s %.3f is not below %s %.3f", order[k-1], pt[order[k-1]], order[k], pt[order[k]])
		}
	}
	if argmaxKey(pt) != top {
		t.Errorf("latest cluster by pseudotime is %s, want the end-point cluster %s", argmaxKey(pt), top)
	}
}

func clusterMeans(t *testing.T, a *anndata.AnnData, key string) map[string]float64 {
	t.Helper()
	labels, _ := a.Obs.Strings("clusters")
	v, err := a.Obs.Float64(key)
	if err != nil {
		t.Fatal(err)
	}
	sum, cnt := map[string]float64{}, map[string]float64{}
	for i, l := range labels {
		sum[l] += v[i]
		cnt[l]++
	}
	for l := range sum {
		sum[l] /= cnt[l]
	}
	return sum
}
