package velo

import (
	"context"
	"math"
	"slices"
	"testing"

	"github.com/velo-rna/velo/anndata"
	"github.com/velo-rna/velo/array"
	"github.com/velo-rna/velo/simulate"
)

// memoryStore is a LayerStore that keeps everything in maps, recording the
// order of the writes.
type memoryStore struct {
	rows, cols int
	dense      map[string]*array.Dense
	whole      map[string]array.Matrix
	writes     []string
}

func newMemoryStore(rows, cols int) *memoryStore {
	return &memoryStore{rows: rows, cols: cols, dense: map[string]*array.Dense{}, whole: map[string]array.Matrix{}}
}

func (m *memoryStore) WriteColumns(layer string, col0 int, block *array.Dense) error {
	d, ok := m.dense[layer]
	if !ok {
		d = array.NewDense(m.rows, m.cols)
		for k := range d.Data {
			d.Data[k] = float32(math.NaN()) // unwritten columns show up
		}
		m.dense[layer] = d
	}
	for i := 0; i < block.Rows; i++ {
		copy(d.Row(i)[col0:col0+block.Cols], block.Row(i))
	}
	m.writes = append(m.writes, layer)
	return nil
}

func (m *memoryStore) ReadColumns(layer string, cols []int) (*array.Dense, error) {
	return m.dense[layer].SelectCols(cols), nil
}

func (m *memoryStore) ReadRows(layer string, lo, hi int, cols []int) (*array.Dense, error) {
	rows := make([]int, hi-lo)
	for k := range rows {
		rows[k] = lo + k
	}
	return m.dense[layer].SelectCols(cols).SelectRows(rows), nil
}

func (m *memoryStore) WriteMatrix(name string, x array.Matrix) error {
	m.whole[name] = x
	m.writes = append(m.writes, name)
	return nil
}

// The blocked path with a store must give exactly the numbers of the
// in-memory path, whatever the block width and the number of threads.
func TestRunWithStoreMatchesInMemory(t *testing.T) {
	for _, mode := range []string{"stochastic", "deterministic"} {
		t.Run(mode, func(t *testing.T) {
			sim := func() *anndata.AnnData {
				a, err := simulate.Simulate(simulate.Options{Cells: 300, Genes: 60, Seed: 9})
				if err != nil {
					t.Fatal(err)
				}
				delete(a.Layers, "true_velocity")
				return a
			}
			whole := sim()
			if _, err := Run(context.Background(), whole, Options{Mode: mode, Seed: 2, Threads: 4}); err != nil {
				t.Fatal(err)
			}
			var store *memoryStore
			streamed := sim()
			timings, err := Run(context.Background(), streamed, Options{Mode: mode, Seed: 2, Threads: 1, BlockGenes: 7, Store: func(rows, cols int) (LayerStore, error) {
				store = newMemoryStore(rows, cols)
				return store, nil
			}})
			if err != nil {
				t.Fatal(err)
			}
			if streamed.X != nil || len(streamed.Layers) != 0 {
				t.Errorf("X or layers %v left in memory", anndata.SortedKeys(streamed.Layers))
			}
			layers := []string{"Ms", "Mu", "velocity"}
			if mode == "stochastic" {
				layers = append(layers, "variance_velocity")
			}
			for _, l := range layers {
				sameBits(t, "layer "+l, array.AsDense(whole.Layers[l]).Data, store.dense[l].Data)
			}
			for _, l := range []string{"X", "spliced", "unspliced"} {
				var w array.Matrix = whole.X
				if l != "X" {
					w = whole.Layers[l]
				}
				sameBits(t, l, array.AsDense(w).Data, array.AsDense(store.whole[l]).Data)
			}
			for _, k := range []string{"X_pca", "X_umap", "velocity_umap", "velocity_pca"} {
				sameBits(t, "obsm "+k, whole.Obsm[k].Data, streamed.Obsm[k].Data)
			}
			sameBits(t, "velocity_graph", whole.Uns["velocity_graph"].(*array.CSR).Data, streamed.Uns["velocity_graph"].(*array.CSR).Data)
			for _, f := range []struct {
				name      string
				got, want *anndata.Frame
			}{{"obs", streamed.Obs, whole.Obs}, {"var", streamed.Var, whole.Var}} {
				for _, c := range f.want.Columns() {
					x, err1 := f.want.Float64(c.Name)
					y, err2 := f.got.Float64(c.Name)
					if err1 != nil {
						continue // string and categorical columns
					}
					if err2 != nil {
						t.Fatalf("%s %s: %v", f.name, c.Name, err2)
					}
					if !slices.EqualFunc(x, y, func(p, q float64) bool { return math.Float64bits(p) == math.Float64bits(q) }) {
						t.Errorf("%s %s differs", f.name, c.Name)
					}
				}
				if len(f.got.Columns()) != len(f.want.Columns()) {
					t.Errorf("%s has %d columns, want %d", f.name, len(f.got.Columns()), len(f.want.Columns()))
				}
			}
			var stages []string
			for _, s := range timings {
				stages = append(stages, s.Stage)
			}
			for _, s := range []string{stageMoments, stageVelocity, stageStore, "velocity_graph", "velocity_pseudotime", "velocity_embedding"} {
				if !slices.Contains(stages, s) {
					t.Errorf("stage %s not timed (stages %v)", s, stages)
				}
			}
			// The velocity embedding runs in two parts (PCA before the wait
			// for UMAP) but is one stage.
			if sorted := slices.Sorted(slices.Values(stages)); len(slices.Compact(sorted)) != len(stages) {
				t.Errorf("a stage is timed twice: %v", stages)
			}
		})
	}
}
