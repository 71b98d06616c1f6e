package grid

import (
	"math"
	"testing"

	"github.com/velo-rna/velo/format/h5ad"
	"github.com/velo-rna/velo/internal/testenv"
)

// scVelo's velocity_embedding autoscales with the same quiver_autoscale the
// grid plot uses: velocity_umap = velocity_umap_raw / (3·a) with a computed
// on the cells under matplotlib's default axes (ρ = 369.6/496).
func TestQuiverScaleMatchesReference(t *testing.T) {
	a, err := h5ad.Read(testenv.Path(t, "reference", "pancreas", "stochastic.h5ad"))
	if err != nil {
		t.Fatal(err)
	}
	emb, raw, scaled := a.Obsm["X_umap"], a.Obsm["velocity_umap_raw"], a.Obsm["velocity_umap"]
	if emb == nil || raw == nil || scaled == nil {
		t.Fatal("stochastic.h5ad lacks X_umap, velocity_umap_raw or velocity_umap")
	}
	px, py := make([]float64, emb.Rows), make([]float64, emb.Rows)
	u, v := make([]float64, emb.Rows), make([]float64, emb.Rows)
	for i := range px {
		px[i], py[i] = float64(emb.At(i, 0)), float64(emb.At(i, 1))
		u[i], v[i] = float64(raw.At(i, 0)), float64(raw.At(i, 1))
	}
	div := 3 * quiverScale(px, py, u, v, defaultAxesAspect)
	var worst float64
	for i := range u {
		for d, r := range []float64{u[i], v[i]} {
			want := float64(scaled.At(i, d))
			worst = math.Max(worst, math.Abs(r/div-want)/math.Max(math.Abs(want), 1e-3))
		}
	}
	// float32 storage of the velocities; the spec verified the closed form
	// to 1e-5.
	if worst > 1e-5 {
		t.Fatalf("autoscaled velocity differs from velocity_umap by %.2g (relative)", worst)
	}
	t.Logf("max relative difference %.2g", worst)
}
