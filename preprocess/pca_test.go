package preprocess

import (
	"context"
	"math"
	"slices"
	"testing"

	"github.com/velo-rna/velo/anndata"
	"github.com/velo-rna/velo/array"
)

// logData returns an AnnData whose X is log1p of structured random counts.
func logData(seed uint64, n, g int) *anndata.AnnData {
	c := randomCounts(seed, n, g)
	a := anndata.New(names("c", n), names("g", g))
	for k, v := range c.Data {
		c.Data[k] = float32(math.Log1p(float64(v)))
	}
	a.X = c.ToCSR()
	return a
}

// compareSVD checks singular values and vectors of got against want.
func compareSVD(t *testing.T, got, want *svdResult, k int) {
	t.Helper()
	for i := 0; i < k; i++ {
		if rel := math.Abs(got.sigma[i]-want.sigma[i]) / want.sigma[i]; rel > 1e-6 {
			t.Errorf("σ%d = %v, want %v (relative error %.2g)", i, got.sigma[i], want.sigma[i], rel)
		}
		var dot, n1, n2 float64
		for j := range want.comps[i] {
			dot += got.comps[i][j] * want.comps[i][j]
			n1 += got.comps[i][j] * got.comps[i][j]
			n2 += want.comps[i][j] * want.comps[i][j]
		}
		if c := math.Abs(dot) / math.Sqrt(n1*n2); c < 0.9999 {
			t.Errorf("component %d: |cos| = %v with the exact vector", i, c)
		}
	}
}

func TestKrylovMatchesDenseSVD(t *testing.T) {
	// 600 × 400 is above the dense cut-off, so centredSVD iterates.
	a := logData(1, 600, 400)
	mu, _ := colMoments(a.X, nil, 2)
	got, err := centredSVD(context.Background(), a.X, nil, mu, 30, 0, 2)
	if err != nil {
		t.Fatal(err)
	}
	want, err := denseCentredSVD(a.X, mu, 30)
	if err != nil {
		t.Fatal(err)
	}
	compareSVD(t, got, want, 30)
	for i := 0; i < 30; i++ {
		if math.Abs(floatsNorm(got.scores[i])-got.sigma[i]) > 1e-9*got.sigma[i] {
			t.Errorf("score %d has norm %v, σ = %v", i, floatsNorm(got.scores[i]), got.sigma[i])
		}
	}
}

func floatsNorm(v []float64) float64 {
	var s float64
	for _, x := range v {
		s += x * x
	}
	return math.Sqrt(s)
}

func TestPCAStep(t *testing.T) {
	a := logData(2, 300, 80)
	hv := make([]bool, 80)
	for g := range hv {
		hv[g] = g%4 != 0 // 60 highly variable genes
	}
	a.Var.Set("highly_variable", hv)
	if err := PCA(context.Background(), a, PCAOptions{}); err != nil {
		t.Fatal(err)
	}
	x := a.Obsm["X_pca"]
	if x.Rows != 300 || x.Cols != 30 {
		t.Fatalf("X_pca is %d×%d", x.Rows, x.Cols)
	}
	pcs := a.Varm["PCs"]
	if pcs.Rows != 80 || pcs.Cols != 30 {
		t.Fatalf("PCs is %d×%d", pcs.Rows, pcs.Cols)
	}
	for g := 0; g < 80; g += 4 {
		for _, v := range pcs.Row(g) {
			if v != 0 {
				t.Fatalf("gene %d is not highly variable but has loading %v", g, v)
			}
		}
	}
	pca := a.Uns["pca"].(map[string]any)
	if p := pca["params"].(map[string]any); p["use_highly_variable"] != true || p["zero_center"] != true {
		t.Errorf("params %v", p)
	}
	variance := pca["variance"].([]float64)
	ratio := pca["variance_ratio"].([]float64)
	// variance is the sample variance of each score column; the ratio
	// divides by the total sample variance of the 60 genes.
	xd := array.AsDense(a.X)
	var total float64
	for g := 0; g < 80; g++ {
		if hv[g] {
			total += sampleVariance(xd.Col(nil, g))
		}
	}
	for c := 0; c < 30; c++ {
		col := x.Col(nil, c)
		if v := sampleVariance(col); !near(variance[c], v, 1e-5) {
			t.Errorf("variance[%d] = %v, score variance %v", c, variance[c], v)
		}
		if !near(ratio[c], variance[c]/total, 1e-5) {
			t.Errorf("variance_ratio[%d] = %v, want %v", c, ratio[c], variance[c]/total)
		}
		if c > 0 && variance[c] > variance[c-1] {
			t.Errorf("variances not decreasing at %d", c)
		}
		// svd_flip: the largest-magnitude score is positive.
		best := 0
		for i, v := range col {
			if math.Abs(float64(v)) > math.Abs(float64(col[best])) {
				best = i
			}
		}
		if col[best] < 0 {
			t.Errorf("component %d: largest score %v is negative", c, col[best])
		}
	}
}

func sampleVariance(v []float32) float64 {
	var m float64
	for _, x := range v {
		m += float64(x)
	}
	m /= float64(len(v))
	var s float64
	for _, x := range v {
		s += (float64(x) - m) * (float64(x) - m)
	}
	return s / float64(len(v)-1)
}

func TestPCAComponentsCap(t *testing.T) {
	// n_comps = min(30, G − 1, n − 1).
	cases := []struct{ n, g, want int }{{12, 40, 11}, {50, 9, 8}, {60, 70, 30}}
	for _, tc := range cases {
		a := logData(3, tc.n, tc.g)
		if err := PCA(context.Background(), a, PCAOptions{}); err != nil {
			t.Fatal(err)
		}
		if c := a.Obsm["X_pca"].Cols; c != tc.want {
			t.Errorf("%d cells × %d genes: %d components, want %d", tc.n, tc.g, c, tc.want)
		}
	}
}

func TestPCAReuse(t *testing.T) {
	a := logData(4, 40, 30)
	old := array.NewDense(40, 12)
	a.Obsm["X_pca"] = old
	if err := PCA(context.Background(), a, PCAOptions{NComps: 10}); err != nil {
		t.Fatal(err)
	}
	if a.Obsm["X_pca"] != old {
		t.Error("an X_pca with enough columns was recomputed")
	}
	if err := PCA(context.Background(), a, PCAOptions{NComps: 20}); err != nil {
		t.Fatal(err)
	}
	if a.Obsm["X_pca"] == old || a.Obsm["X_pca"].Cols != 20 {
		t.Error("a too narrow X_pca was kept")
	}
}

func TestPCAThreadsIdentical(t *testing.T) {
	one := logData(5, 700, 300)
	four := logData(5, 700, 300)
	if err := PCA(context.Background(), one, PCAOptions{Threads: 1}); err != nil {
		t.Fatal(err)
	}
	if err := PCA(context.Background(), four, PCAOptions{Threads: 4}); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(one.Obsm["X_pca"].Data, four.Obsm["X_pca"].Data) || !slices.Equal(one.Varm["PCs"].Data, four.Varm["PCs"].Data) {
		t.Error("1 and 4 threads give different PCA results")
	}
}

func TestPCAErrors(t *testing.T) {
	a := logData(6, 1, 10)
	if err := PCA(context.Background(), a, PCAOptions{}); err == nil {
		t.Error("one cell: no error")
	}
	a = logData(6, 10, 10)
	a.X.(*array.CSR).Data[3] = float32(math.Inf(1))
	if err := PCA(context.Background(), a, PCAOptions{}); err == nil {
		t.Error("infinite value: no error")
	}
	a = logData(6, 10, 10)
	yes := true
	if err := PCA(context.Background(), a, PCAOptions{UseHighlyVariable: &yes}); err == nil {
		t.Error("highly_variable requested but missing: no error")
	}
}

// Scores formed by extra passes over X (large data) equal those formed from
// the stored A·V (small data) up to rounding.
func TestKrylovScoresWithoutStoredProducts(t *testing.T) {
	c := programmeCounts(61, 900, 400, 20)
	x := c.ToCSR()
	mu, _ := colMoments(x, nil, 2)
	stored, err := centredSVD(context.Background(), x, nil, mu, 12, 0, 2)
	if err != nil {
		t.Fatal(err)
	}
	defer func(v int) { scoreStoreValues = v }(scoreStoreValues)
	scoreStoreValues = 0
	passes, err := centredSVD(context.Background(), x, nil, mu, 12, 0, 2)
	if err != nil {
		t.Fatal(err)
	}
	for i := range stored.sigma {
		if math.Abs(stored.sigma[i]-passes.sigma[i]) > 1e-9*stored.sigma[0] {
			t.Errorf("σ_%d: %v stored, %v from passes", i, stored.sigma[i], passes.sigma[i])
		}
		for r, v := range stored.scores[i] {
			if math.Abs(v-passes.scores[i][r]) > 1e-9*stored.sigma[0] {
				t.Fatalf("score %d of cell %d: %v stored, %v from passes", i, r, v, passes.scores[i][r])
			}
		}
	}
}

// Blocks of 8 vectors (large data) and of 4 (small data) converge to the
// same decomposition.
func TestKrylovBlockWidthsAgree(t *testing.T) {
	c := programmeCounts(62, 900, 400, 20)
	x := c.ToCSR()
	mu, _ := colMoments(x, nil, 2)
	narrow, err := centredSVD(context.Background(), x, nil, mu, 12, 0, 2)
	if err != nil {
		t.Fatal(err)
	}
	defer func(v int) { wideBlockNNZ = v }(wideBlockNNZ)
	wideBlockNNZ = 0
	wide, err := centredSVD(context.Background(), x, nil, mu, 12, 0, 2)
	if err != nil {
		t.Fatal(err)
	}
	if wide.unconverged > 0 || narrow.unconverged > 0 {
		t.Fatalf("unconverged components: %d (8 wide), %d (4 wide)", wide.unconverged, narrow.unconverged)
	}
	flipSigns(narrow)
	flipSigns(wide)
	for i := range narrow.sigma {
		if math.Abs(narrow.sigma[i]-wide.sigma[i]) > 1e-8*narrow.sigma[i] {
			t.Errorf("σ_%d: %v (4 wide), %v (8 wide)", i, narrow.sigma[i], wide.sigma[i])
		}
		var dot float64
		for j, v := range narrow.comps[i] {
			dot += v * wide.comps[i][j]
		}
		if dot < 0.9999 {
			t.Errorf("component %d: cos %v between block widths", i, dot)
		}
	}
}

// The iterative PCA on the highly variable genes of a wider X (read in
// place, never copied) equals the PCA of the subset matrix.
func TestPCAGeneSubsetInPlace(t *testing.T) {
	wide := logData(63, 700, 420)
	hv := make([]bool, 420)
	var keep []int
	for g := range hv {
		if hv[g] = g%7 != 3; hv[g] {
			keep = append(keep, g)
		}
	}
	wide.Var.Set("highly_variable", hv)
	x := wide.X
	sub := anndata.New(wide.Obs.Index, names("g", len(keep)))
	sub.X = x.(*array.CSR).SelectCols(keep)
	for _, a := range []*anndata.AnnData{wide, sub} {
		if err := PCA(context.Background(), a, PCAOptions{NComps: 20}); err != nil {
			t.Fatal(err)
		}
	}
	if wide.X != x {
		t.Error("X was replaced")
	}
	got, want := wide.Obsm["X_pca"], sub.Obsm["X_pca"]
	if d := columnRelDiff(got, want); d > 1e-5 {
		t.Errorf("X_pca differs by %.3g of a column's range", d)
	}
	for p, g := range keep {
		for c := 0; c < 20; c++ {
			if math.Abs(float64(wide.Varm["PCs"].At(g, c)-sub.Varm["PCs"].At(p, c))) > 1e-5 {
				t.Fatalf("loading of gene %d, component %d: %v vs %v", g, c, wide.Varm["PCs"].At(g, c), sub.Varm["PCs"].At(p, c))
			}
		}
	}
}
