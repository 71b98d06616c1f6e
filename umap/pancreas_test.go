package umap

import (
	"context"
	"math/rand/v2"
	"testing"

	"github.com/velo-rna/velo/anndata"
	"github.com/velo-rna/velo/format/h5ad"
	"github.com/velo-rna/velo/internal/testenv"
)

// TestPancreasNeighbourhoods lays out scVelo's pancreas graph and compares
// each cell's 15 nearest neighbours in velo's layout with those in scVelo's
// X_umap. The two runs use different random streams, so only structure can
// agree. Seeds 0–7 gave 0.54–0.61 (seed 0, the default: 0.56); a random
// layout gives 15/3695 ≈ 0.004.
func TestPancreasNeighbourhoods(t *testing.T) {
	ad, err := h5ad.Read(testenv.Path(t, "reference", "pancreas", "preprocessed.h5ad"))
	if err != nil {
		t.Fatal(err)
	}
	graph, ref := ad.Obsp["connectivities"], ad.Obsm["X_umap"]
	if graph == nil || ref == nil {
		t.Fatal("preprocessed.h5ad lacks obsp/connectivities or obsm/X_umap")
	}
	out, err := Embed(context.Background(), graph, Options{})
	if err != nil {
		t.Fatal(err)
	}
	const k = 15
	refNN := nearest2D(ref.Data, k)
	got := neighbourhoodPreservation(refNN, nearest2D(out.Data, k))

	// The same measure for a random layout, as a floor.
	rng := rand.New(rand.NewPCG(1, 2))
	random := make([]float32, len(out.Data))
	for i := range random {
		random[i] = rng.Float32()
	}
	chance := neighbourhoodPreservation(refNN, nearest2D(random, k))
	t.Logf("15-NN shared with scVelo's X_umap: %.4f (random layout %.4f)", got, chance)
	if got < 0.45 {
		t.Errorf("neighbourhood preservation %.4f, want ≥ 0.45", got)
	}
	if got < 50*chance {
		t.Errorf("neighbourhood preservation %.4f is not far above a random layout's %.4f", got, chance)
	}

	// Clusters stay together: each cell's nearest cluster centroid in velo's
	// layout is its own cluster for most cells, as in scVelo's.
	col, ok := ad.Obs.Get("clusters")
	cat, isCat := col.(*anndata.Categorical)
	if !ok || !isCat {
		t.Fatal("obs['clusters'] is missing or not categorical")
	}
	label := make([]int, len(cat.Codes))
	for i, c := range cat.Codes {
		label[i] = int(c)
	}
	accVelo := nearestCentroidAccuracy(out.Data, label)
	accRef := nearestCentroidAccuracy(ref.Data, label)
	t.Logf("nearest-centroid accuracy: velo %.4f, scVelo %.4f", accVelo, accRef)
	if accVelo < accRef-0.1 {
		t.Errorf("nearest-centroid accuracy %.4f, scVelo's layout has %.4f", accVelo, accRef)
	}
}
