package preprocess

import (
	"context"
	"slices"
	"testing"

	"github.com/velo-rna/velo/array"
	"github.com/velo-rna/velo/knn"
)

func TestNeighborsKNNMethod(t *testing.T) {
	for _, c := range []struct {
		method, want string
	}{
		{"", KNNExact}, // 300 cells, far below AutoApproxCells
		{KNNExact, KNNExact},
		{KNNApprox, KNNApprox},
	} {
		a := logData(11, 300, 12)
		if err := Neighbors(context.Background(), a, NeighborsOptions{NNeighbors: 10, KNNMethod: c.method, Seed: 2}); err != nil {
			t.Fatalf("method %q: %v", c.method, err)
		}
		p := a.Uns["neighbors"].(map[string]any)["params"].(map[string]any)
		if p["knn_method"] != c.want || p["method"] != "umap" {
			t.Errorf("method %q: params %v, want knn_method %q and method umap", c.method, p, c.want)
		}
		// On 300 cells NN-descent starts from leaves holding 60 cells and
		// finds the exact neighbours of more than 90% of them.
		want, err := knn.Exact(context.Background(), array.AsDense(a.X), 10, 1)
		if err != nil {
			t.Fatal(err)
		}
		same := 0
		for i := 0; i < 300; i++ {
			idx, _ := a.Obsp["distances"].RowView(i)
			wi, _ := want.Row(i)
			w := slices.Clone(wi[1:])
			slices.Sort(w)
			if slices.Equal(idx, w) {
				same++
			}
		}
		if same < 270 {
			t.Errorf("method %q: %d of 300 cells have their exact neighbours", c.method, same)
		}
	}
	if err := Neighbors(context.Background(), logData(11, 50, 12), NeighborsOptions{KNNMethod: "annoy"}); err == nil {
		t.Error("KNNMethod annoy: no error")
	}
}
