package graph

import (
	"context"
	"math"
	"slices"
	"testing"

	"github.com/velo-rna/velo/anndata"
	"github.com/velo-rna/velo/array"
)

// oracleEmbedding follows scVelo's velocity_embedding loop on a given
// transition matrix: drop the diagonal, unit displacement vectors (NaN →
// 0), probs·dX − mean(probs)·ΣdX.
func oracleEmbedding(tm *array.CSR, e *array.Dense) [][]float64 {
	out := make([][]float64, tm.Rows)
	for i := range out {
		idx, val := tm.RowView(i)
		var js []int
		var ps []float64
		for k, j := range idx {
			if int(j) != i && val[k] != 0 {
				js = append(js, int(j))
				ps = append(ps, float64(val[k]))
			}
		}
		row := make([]float64, e.Cols)
		if len(js) == 0 {
			for c := range row {
				row[c] = math.NaN()
			}
			out[i] = row
			continue
		}
		var mean float64
		for _, p := range ps {
			mean += p
		}
		mean /= float64(len(ps))
		for k, j := range js {
			var nn float64
			for c := range row {
				d := float64(e.At(j, c) - e.At(i, c))
				nn += d * d
			}
			for c := range row {
				u := float64(e.At(j, c)-e.At(i, c)) / math.Sqrt(nn)
				if u != u {
					u = 0
				}
				row[c] += (ps[k] - mean) * u
			}
		}
		out[i] = row
	}
	return out
}

func TestVelocityEmbeddingMatchesOracle(t *testing.T) {
	a := synthGrid(8, 6, 3, 30, "stochastic", 11)
	runGraph(t, a, GraphOptions{})
	// Two neighbours at the same embedding position: their unit vector is
	// 0, not NaN (spec C2, coincident points).
	idx, _ := a.Obsp["distances"].RowView(20)
	copy(a.Obsm["X_umap"].Row(int(idx[0])), a.Obsm["X_umap"].Row(20))
	if err := VelocityEmbedding(context.Background(), a, EmbeddingOptions{}); err != nil {
		t.Fatal(err)
	}
	tm, err := TransitionMatrix(a, TransitionOptions{UseNegativeCosines: true})
	if err != nil {
		t.Fatal(err)
	}
	want := oracleEmbedding(tm, a.Obsm["X_umap"])
	raw := a.Obsm["velocity_umap_raw"]
	for i, w := range want {
		for c, x := range w {
			if g := float64(raw.At(i, c)); math.Abs(g-x) > 1e-5*(1+math.Abs(x)) || math.IsNaN(g) {
				t.Fatalf("cell %d component %d: got %g, want %g", i, c, g, x)
			}
		}
	}
	// Autoscale: the stored arrows are the raw ones divided by 3× the
	// closed-form quiver scale (spec A15.5).
	e := a.Obsm["X_umap"]
	scale := quiverAutoscale(e, raw, matplotlibAspect)
	if !(scale > 0) {
		t.Fatalf("autoscale %g", scale)
	}
	for k, v := range a.Obsm["velocity_umap"].Data {
		if w := float64(raw.Data[k]) / (3 * scale); math.Abs(float64(v)-w) > 1e-6*math.Abs(w)+1e-12 {
			t.Fatalf("scaled arrow %d = %g, want %g", k, v, w)
		}
	}
	if got := a.Uns["velocity_params"].(map[string]any)["embeddings"]; !slices.Equal(got.([]string), []string{"umap"}) {
		t.Errorf("embeddings = %v, want [umap]", got)
	}
}

// The quiver autoscale by hand: two arrows, ranges 2 and 4, N = 2 → √N < 10.
func TestQuiverAutoscale(t *testing.T) {
	e := &array.Dense{Rows: 2, Cols: 2, Data: []float32{0, 0, 2, 4}}
	v := &array.Dense{Rows: 2, Cols: 2, Data: []float32{1, 0, 0, 2}}
	rho := 0.5
	want := 1.8 / 1.1 * 10 * (math.Hypot(1.0/2, 0) + math.Hypot(0, 2*rho/4)) / 2
	if got := quiverAutoscale(e, v, rho); math.Abs(got-want) > 1e-12 {
		t.Errorf("autoscale %g, want %g", got, want)
	}
	v.Data[0] = float32(math.NaN())
	want = 1.8 / 1.1 * 10 * math.Hypot(0, 2*rho/4)
	if got := quiverAutoscale(e, v, rho); math.Abs(got-want) > 1e-12 {
		t.Errorf("autoscale with a NaN arrow %g, want %g", got, want)
	}
}

func TestVelocityEmbeddingBasisAndOptions(t *testing.T) {
	a := synthGrid(6, 5, 3, 25, "deterministic", 1)
	runGraph(t, a, GraphOptions{})
	pca := array.NewDense(a.NObs(), 3)
	for i := range pca.Data {
		pca.Data[i] = float32(i%7) + float32(i%5)*0.5
	}
	a.Obsm["X_pca"] = pca
	// Default basis: the last present of pca, tsne, umap.
	if err := VelocityEmbedding(context.Background(), a, EmbeddingOptions{NoAutoscale: true}); err != nil {
		t.Fatal(err)
	}
	if _, ok := a.Obsm["velocity_umap"]; !ok {
		t.Fatal("default basis did not pick umap")
	}
	if !slices.Equal(a.Obsm["velocity_umap"].Data, a.Obsm["velocity_umap_raw"].Data) {
		t.Error("NoAutoscale output differs from the raw arrows")
	}
	// Direct PCA projection: (V − column means)·PCs on velocity genes.
	pcs := array.NewDense(a.NVars(), 3)
	for i := range pcs.Data {
		pcs.Data[i] = float32(math.Sin(float64(i)))
	}
	a.Varm["PCs"] = pcs
	if err := VelocityEmbedding(context.Background(), a, EmbeddingOptions{Basis: "pca", DirectPCAProjection: true, NoAutoscale: true}); err != nil {
		t.Fatal(err)
	}
	vel := a.Layers["velocity"].(*array.Dense)
	n, g := vel.Rows, vel.Cols
	for _, i := range []int{0, 13, n - 1} {
		for c := 0; c < 3; c++ {
			var want float64
			for k := 0; k < g; k++ {
				var mean float64
				for r := 0; r < n; r++ {
					mean += float64(vel.At(r, k))
				}
				want += (float64(vel.At(i, k)) - mean/float64(n)) * float64(pcs.At(k, c))
			}
			if got := float64(a.Obsm["velocity_pca"].At(i, c)); math.Abs(got-want) > 1e-4*(1+math.Abs(want)) {
				t.Errorf("direct PCA projection cell %d comp %d = %g, want %g", i, c, got, want)
			}
		}
	}
	if got := a.Uns["velocity_params"].(map[string]any)["embeddings"].([]string); !slices.Equal(got, []string{"umap", "pca"}) {
		t.Errorf("embeddings = %v, want [umap pca]", got)
	}
	b := anndata.New([]string{"x"}, []string{"g"})
	if err := VelocityEmbedding(context.Background(), b, EmbeddingOptions{}); err == nil {
		t.Error("no error without any embedding")
	}
}
