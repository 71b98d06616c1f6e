package graph

import (
	"context"
	"slices"
	"testing"

	"github.com/velo-rna/velo/anndata"
	"github.com/velo-rna/velo/array"
)

// Every parallel step gives identical bits with 1 and 4 threads.
func TestThreadsDeterminism(t *testing.T) {
	run := func(threads int) *anndata.AnnData {
		a := synthGrid(40, 6, 3, 40, "stochastic", 13) // 720 cells: Krylov path
		ctx := context.Background()
		if err := VelocityGraph(ctx, a, GraphOptions{Threads: threads}); err != nil {
			t.Fatal(err)
		}
		if err := VelocityEmbedding(ctx, a, EmbeddingOptions{Threads: threads}); err != nil {
			t.Fatal(err)
		}
		if err := VelocityConfidence(ctx, a, ConfidenceOptions{Threads: threads}); err != nil {
			t.Fatal(err)
		}
		if err := VelocityPseudotime(ctx, a, PseudotimeOptions{Threads: threads}); err != nil {
			t.Fatal(err)
		}
		return a
	}
	a, b := run(1), run(4)
	for _, key := range []string{"velocity_graph", "velocity_graph_neg"} {
		ga, gb := a.Uns[key].(*array.CSR), b.Uns[key].(*array.CSR)
		if !slices.Equal(ga.Indptr, gb.Indptr) || !slices.Equal(ga.Indices, gb.Indices) || !slices.Equal(ga.Data, gb.Data) {
			t.Errorf("uns %s differs between 1 and 4 threads", key)
		}
	}
	for _, key := range []string{"velocity_umap", "velocity_umap_raw"} {
		if !slices.Equal(a.Obsm[key].Data, b.Obsm[key].Data) {
			t.Errorf("obsm %s differs between 1 and 4 threads", key)
		}
	}
	for _, key := range []string{"velocity_self_transition", "velocity_length", "velocity_confidence", "velocity_confidence_transition", "root_cells", "end_points", "velocity_pseudotime"} {
		x, _ := a.Obs.Float64(key)
		y, _ := b.Obs.Float64(key)
		if len(x) == 0 || !slices.EqualFunc(x, y, func(p, q float64) bool { return p == q || (p != p && q != q) }) {
			t.Errorf("obs %s differs between 1 and 4 threads", key)
		}
	}
}

func TestContextCancelled(t *testing.T) {
	a := synthGrid(8, 5, 3, 20, "stochastic", 1)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := VelocityGraph(ctx, a, GraphOptions{}); err == nil {
		t.Error("cancelled context gave no error")
	}
	if _, ok := a.Uns["velocity_graph"]; ok {
		t.Error("cancelled run stored a graph")
	}
}
