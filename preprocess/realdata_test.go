package preprocess

import (
	"context"
	"math"
	"slices"
	"testing"

	"github.com/velo-rna/velo/anndata"
	"github.com/velo-rna/velo/array"
	"github.com/velo-rna/velo/format/h5ad"
	"github.com/velo-rna/velo/internal/testenv"
)

// Real-data tests against scVelo 0.3.3's reference outputs (scanpy 1.9.6).
// Tolerances: scVelo stores float32, so values computed the same way agree
// to ~1e-6 relative; 1e-5 leaves room for single-ulp differences of float32
// transcendental functions (log1p, exp) between numpy/numba and Go.

func readRef(t *testing.T, parts ...string) *anndata.AnnData {
	t.Helper()
	a, err := h5ad.Read(testenv.Path(t, parts...))
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// maxRelDiff returns max |a−b| / max(|b|) over all entries (0 when b is
// all zero and a equals it), after checking shapes.
func maxRelDiff(t *testing.T, what string, a, b array.Matrix) float64 {
	t.Helper()
	ra, ca := a.Shape()
	rb, cb := b.Shape()
	if ra != rb || ca != cb {
		t.Fatalf("%s: shape %d×%d, want %d×%d", what, ra, ca, rb, cb)
	}
	ad, bd := array.AsDense(a), array.AsDense(b)
	var diff, scale float64
	for k := range bd.Data {
		diff = math.Max(diff, math.Abs(float64(ad.Data[k])-float64(bd.Data[k])))
		scale = math.Max(scale, math.Abs(float64(bd.Data[k])))
	}
	if scale == 0 {
		return diff
	}
	return diff / scale
}

// maxEntryRelDiff returns max over stored entries of |a−b|/|b|, requiring
// the same sparsity pattern.
func maxEntryRelDiff(t *testing.T, what string, a, b *array.CSR) float64 {
	t.Helper()
	if !slices.Equal(a.Indptr, b.Indptr) || !slices.Equal(a.Indices, b.Indices) {
		t.Fatalf("%s: sparsity patterns differ (%d vs %d entries)", what, a.NNZ(), b.NNZ())
	}
	var worst float64
	for k, v := range b.Data {
		worst = math.Max(worst, math.Abs(float64(a.Data[k])-float64(v))/math.Abs(float64(v)))
	}
	return worst
}

// columnRelDiff returns max over columns of max|a−b| / max|b| in that column.
func columnRelDiff(a, b *array.Dense) float64 {
	var worst float64
	for c := 0; c < b.Cols; c++ {
		var diff, scale float64
		for i := 0; i < b.Rows; i++ {
			diff = math.Max(diff, math.Abs(float64(a.At(i, c))-float64(b.At(i, c))))
			scale = math.Max(scale, math.Abs(float64(b.At(i, c))))
		}
		if scale > 0 {
			worst = math.Max(worst, diff/scale)
		}
	}
	return worst
}

func compareObs(t *testing.T, got, want *anndata.AnnData, cols ...string) {
	t.Helper()
	for _, c := range cols {
		g, err := got.Obs.Float64(c)
		if err != nil {
			t.Fatalf("obs %s: %v", c, err)
		}
		w, err := want.Obs.Float64(c)
		if err != nil {
			t.Fatalf("reference obs %s: %v", c, err)
		}
		var worst float64
		for i := range w {
			worst = math.Max(worst, math.Abs(g[i]-w[i])/math.Max(math.Abs(w[i]), 1e-30))
		}
		t.Logf("obs %s: max relative difference %.2g", c, worst)
		if worst > 1e-5 {
			t.Errorf("obs %s differs by %.3g relative", c, worst)
		}
	}
}

func TestRealFilterAndNormalize(t *testing.T) {
	cases := []struct{ raw, ref []string }{
		{[]string{"data", "pancreas", "pancreas.h5ad"}, []string{"reference", "pancreas", "preprocessed.h5ad"}},
		{[]string{"data", "scvelo-fixtures", "pancreas_50obs.h5ad"}, []string{"reference", "pancreas_50obs", "preprocessed.h5ad"}},
	}
	for _, tc := range cases {
		t.Run(tc.ref[1], func(t *testing.T) {
			a := readRef(t, tc.raw...)
			want := readRef(t, tc.ref...)
			var log []string
			err := FilterAndNormalize(context.Background(), a, FilterAndNormalizeOptions{
				MinSharedCounts: Int(20), NTopGenes: 2000,
				Logf: func(f string, args ...any) { log = append(log, f) },
			})
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(a.Var.Index, want.Var.Index) {
				t.Fatalf("kept %d genes, reference %d (or a different order)", a.NVars(), want.NVars())
			}
			for _, key := range []string{"X", "spliced", "unspliced"} {
				g, _ := getMatrix(a, key)
				w, _ := getMatrix(want, key)
				d := maxEntryRelDiff(t, key, array.AsCSR(g), array.AsCSR(w))
				t.Logf("%s: max relative difference per entry %.2g", key, d)
				if d > 1e-5 {
					t.Errorf("%s differs by %.3g relative", key, d)
				}
			}
			compareObs(t, a, want, "initial_size_unspliced", "initial_size_spliced", "initial_size", "n_counts")
			if _, ok := a.Uns["log1p"]; !ok {
				t.Error("uns log1p missing")
			}
		})
	}
}

func TestRealPCA(t *testing.T) {
	for _, ds := range []string{"pancreas", "pancreas_50obs"} {
		t.Run(ds, func(t *testing.T) {
			want := readRef(t, "reference", ds, "preprocessed.h5ad")
			a := readRef(t, "reference", ds, "preprocessed.h5ad")
			if err := PCA(context.Background(), a, PCAOptions{Recompute: true}); err != nil {
				t.Fatal(err)
			}
			got, ref := a.Obsm["X_pca"], want.Obsm["X_pca"]
			if got.Cols != ref.Cols || got.Rows != ref.Rows {
				t.Fatalf("X_pca is %d×%d, reference %d×%d", got.Rows, got.Cols, ref.Rows, ref.Cols)
			}
			// Same sign rule (svd_flip) as scanpy, so no column should need
			// flipping; scanpy's ARPACK runs in float32 and resolves the
			// last component, 0.7 % from the next eigenvalue, least well.
			d := columnRelDiff(got, ref)
			t.Logf("X_pca: max |diff| / column max = %.2g", d)
			if d > 1e-3 {
				t.Errorf("X_pca differs from the reference by %.3g of a column's range", d)
			}
			pca := a.Uns["pca"].(map[string]any)
			refPCA := want.Uns["pca"].(map[string]any)
			for _, key := range []string{"variance", "variance_ratio"} {
				g, w := pca[key].([]float64), refPCA[key].([]float64)
				var worst float64
				for c := range w {
					worst = math.Max(worst, math.Abs(g[c]-w[c])/w[c])
				}
				t.Logf("%s: max relative difference %.2g", key, worst)
				if worst > 1e-4 {
					t.Errorf("%s differs by %.3g relative", key, worst)
				}
			}
			if got, ref := a.Varm["PCs"], want.Varm["PCs"]; columnRelDiff(got, ref) > 1e-2 {
				t.Errorf("PCs differ by %.3g of a column's range", columnRelDiff(got, ref))
			}
		})
	}
}

func TestRealNeighbors(t *testing.T) {
	for _, ds := range []string{"pancreas", "pancreas_50obs"} {
		t.Run(ds, func(t *testing.T) {
			want := readRef(t, "reference", ds, "preprocessed.h5ad")
			a := readRef(t, "reference", ds, "preprocessed.h5ad")
			delete(a.Obsp, "distances")
			delete(a.Obsp, "connectivities")
			delete(a.Uns, "neighbors")
			if err := Neighbors(context.Background(), a, NeighborsOptions{NPCs: Int(30)}); err != nil {
				t.Fatal(err)
			}
			d := maxEntryRelDiff(t, "distances", a.Obsp["distances"], want.Obsp["distances"])
			t.Logf("distances: same pattern, max relative difference %.2g", d)
			if d > 1e-5 {
				t.Errorf("distances differ by %.3g relative", d)
			}
			// Connectivities lie in (0, 1]: compare absolutely. umap-learn's
			// bisection sums in float32 under numba's fastmath, whose
			// summation order Go cannot reproduce; σ then moves within the
			// bisection's 1e-5 tolerance and small memberships differ in
			// their last bits (relative differences of 1e-5 on values of
			// 0.01).
			ca, cb := a.Obsp["connectivities"], want.Obsp["connectivities"]
			maxEntryRelDiff(t, "connectivities", ca, cb) // checks the pattern
			var c float64
			for k, v := range cb.Data {
				c = math.Max(c, math.Abs(float64(ca.Data[k])-float64(v)))
			}
			t.Logf("connectivities: same pattern, max absolute difference %.2g", c)
			if c > 1e-5 {
				t.Errorf("connectivities differ by %.3g", c)
			}
			nb := a.Uns["neighbors"].(map[string]any)
			params := nb["params"].(map[string]any)
			refParams := want.Uns["neighbors"].(map[string]any)["params"].(map[string]any)
			for _, key := range anndata.SortedKeys(refParams) {
				if params[key] != refParams[key] {
					t.Errorf("uns neighbors params %s = %v, reference %v", key, params[key], refParams[key])
				}
			}
		})
	}
}

func TestRealMoments(t *testing.T) {
	for _, ds := range []string{"pancreas", "pancreas_50obs"} {
		t.Run(ds, func(t *testing.T) {
			a := readRef(t, "reference", ds, "preprocessed.h5ad")
			want := readRef(t, "reference", ds, "moments.h5ad")
			if err := Moments(context.Background(), a, MomentsOptions{}); err != nil {
				t.Fatal(err)
			}
			for _, key := range []string{"Ms", "Mu"} {
				d := columnRelDiff(array.AsDense(a.Layers[key]), array.AsDense(want.Layers[key]))
				exact := slices.Equal(array.AsDense(a.Layers[key]).Data, array.AsDense(want.Layers[key]).Data)
				t.Logf("%s: max |diff| / gene max = %.2g (bit-identical: %v)", key, d, exact)
				if d > 1e-5 {
					t.Errorf("%s differs by %.3g of a gene's maximum", key, d)
				}
			}
		})
	}
}

// TestRealPipeline runs scVelo's tutorial preprocessing from the raw
// counts: FilterAndNormalize, then Moments (which computes the PCA and the
// 30-neighbour graph on the way), and compares with the references. The PCA
// is velo's own, so cells whose 30th and 31st neighbours nearly tie may
// swap them; the test reports how many rows of the graph differ and bounds
// the effect on the moments.
func TestRealPipeline(t *testing.T) {
	a := readRef(t, "data", "pancreas", "pancreas.h5ad")
	want := readRef(t, "reference", "pancreas", "preprocessed.h5ad")
	wantM := readRef(t, "reference", "pancreas", "moments.h5ad")
	ctx := context.Background()
	if err := FilterAndNormalize(ctx, a, FilterAndNormalizeOptions{MinSharedCounts: Int(20), NTopGenes: 2000}); err != nil {
		t.Fatal(err)
	}
	if err := Moments(ctx, a, MomentsOptions{NPCs: Int(30)}); err != nil {
		t.Fatal(err)
	}
	// Neighbour sets may differ only by near-ties: the swapped neighbours'
	// distances (in velo's PCA) must agree to 1e-3 relative.
	got, ref := a.Obsp["distances"], want.Obsp["distances"]
	differ := 0
	for i := 0; i < ref.Rows; i++ {
		gi, gv := got.RowView(i)
		ri, _ := ref.RowView(i)
		if slices.Equal(gi, ri) {
			continue
		}
		differ++
		var farthest float32
		for _, v := range gv {
			farthest = max(farthest, v)
		}
		for _, j := range ri {
			if slices.Contains(gi, j) {
				continue
			}
			d := pcaDistance(a.Obsm["X_pca"], i, int(j))
			t.Logf("cell %d: reference neighbour %d at %.6g, velo's farthest at %.6g", i, j, d, farthest)
			if rel := math.Abs(d-float64(farthest)) / float64(farthest); rel > 1e-3 {
				t.Errorf("cell %d: reference neighbour %d is %.3g beyond velo's farthest, not a near-tie", i, j, rel)
			}
		}
	}
	t.Logf("neighbour sets: %d of %d cells differ", differ, ref.Rows)
	// Moments: identical on cells whose connectivity rows are unchanged.
	gc, rc := a.Obsp["connectivities"], want.Obsp["connectivities"]
	var same []int
	for i := 0; i < rc.Rows; i++ {
		gi, _ := gc.RowView(i)
		ri, _ := rc.RowView(i)
		if slices.Equal(gi, ri) {
			same = append(same, i)
		}
	}
	t.Logf("connectivity rows: %d of %d differ", rc.Rows-len(same), rc.Rows)
	for _, key := range []string{"Ms", "Mu"} {
		g := array.AsDense(a.Layers[key]).SelectRows(same)
		w := array.AsDense(wantM.Layers[key]).SelectRows(same)
		d := columnRelDiff(g, w)
		t.Logf("%s on those rows: max |diff| / gene max = %.2g", key, d)
		if d > 1e-5 {
			t.Errorf("%s differs by %.3g of a gene's maximum", key, d)
		}
	}
}

func pcaDistance(x *array.Dense, i, j int) float64 {
	var s float64
	for c := 0; c < x.Cols; c++ {
		d := float64(x.At(i, c)) - float64(x.At(j, c))
		s += d * d
	}
	return math.Sqrt(s)
}

// TestRealPCAExactSVD compares the iterative SVD with a full dense SVD of
// the centred pancreas matrix (gonum, about ten seconds; skipped with
// -short).
func TestRealPCAExactSVD(t *testing.T) {
	if testing.Short() {
		t.Skip("dense SVD of 3696 × 1126 is slow")
	}
	a := readRef(t, "reference", "pancreas", "preprocessed.h5ad")
	mu, _ := colMoments(a.X, nil, 2)
	got, err := centredSVD(context.Background(), a.X, nil, mu, 30, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if got.unconverged != 0 {
		t.Errorf("%d components did not converge", got.unconverged)
	}
	want, err := denseCentredSVD(a.X, mu, 30)
	if err != nil {
		t.Fatal(err)
	}
	var worstSigma, worstCos float64 = 0, 1
	for i := 0; i < 30; i++ {
		worstSigma = math.Max(worstSigma, math.Abs(got.sigma[i]-want.sigma[i])/want.sigma[i])
		var dot float64
		for j := range want.comps[i] {
			dot += got.comps[i][j] * want.comps[i][j]
		}
		worstCos = math.Min(worstCos, math.Abs(dot))
	}
	t.Logf("singular values: max relative error %.2g; components: min |cos| %.10f", worstSigma, worstCos)
	if worstSigma > 1e-5 || worstCos < 0.9999 {
		t.Errorf("iterative SVD is off: σ error %.3g, |cos| %.6f", worstSigma, worstCos)
	}
}
