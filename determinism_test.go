package velo

import (
	"context"
	"math"
	"testing"

	"github.com/velo-rna/velo/anndata"
	"github.com/velo-rna/velo/array"
	"github.com/velo-rna/velo/simulate"
)

// The whole pipeline, UMAP and pseudotime included, must give the same bits
// whatever the number of threads.
func TestRunBitIdenticalAcrossThreads(t *testing.T) {
	run := func(threads int) *anndata.AnnData {
		a, err := simulate.Simulate(simulate.Options{Cells: 400, Genes: 80, Seed: 3})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Run(context.Background(), a, Options{Threads: threads, Seed: 5}); err != nil {
			t.Fatal(err)
		}
		return a
	}
	one, four := run(1), run(4)
	for _, l := range []string{"Ms", "Mu", "velocity", "variance_velocity"} {
		sameBits(t, "layer "+l, array.AsDense(one.Layers[l]).Data, array.AsDense(four.Layers[l]).Data)
	}
	for _, k := range []string{"X_pca", "X_umap", "velocity_umap"} {
		sameBits(t, "obsm "+k, one.Obsm[k].Data, four.Obsm[k].Data)
	}
	sameBits(t, "velocity_graph", one.Uns["velocity_graph"].(*array.CSR).Data, four.Uns["velocity_graph"].(*array.CSR).Data)
	for _, c := range []string{"velocity_confidence", "velocity_pseudotime"} {
		x, _ := one.Obs.Float64(c)
		y, _ := four.Obs.Float64(c)
		for i := range x {
			if math.Float64bits(x[i]) != math.Float64bits(y[i]) {
				t.Fatalf("obs %s differs at cell %d: %v vs %v", c, i, x[i], y[i])
			}
		}
	}
}

func sameBits(t *testing.T, what string, a, b []float32) {
	t.Helper()
	if len(a) != len(b) {
		t.Fatalf("%s: lengths %d and %d", what, len(a), len(b))
	}
	for i := range a {
		if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
			t.Fatalf("%s differs at %d: %v vs %v", what, i, a[i], b[i])
		}
	}
}
