package preprocess

import (
	"context"
	"slices"
	"testing"

	"github.com/velo-rna/velo/anndata"
	"github.com/velo-rna/velo/array"
)

// Filtering genes (AnnData.SubsetVars) compacts sparse matrices in place;
// matrices stored under two keys, or sharing one sparsity pattern, must come
// out as if each had been subset on its own.
func TestSubsetVarsSharedStorage(t *testing.T) {
	const n, g = 1500, 40 // several row chunks
	s := randomCounts(31, n, g)
	u := randomCounts(32, n, g)
	keep := []int{0, 3, 4, 5, 17, 18, 30, 39}
	for _, tc := range []struct {
		name  string
		build func() *anndata.AnnData
	}{
		{"independent", func() *anndata.AnnData { return newData(s, u) }},
		{"same matrix twice", func() *anndata.AnnData {
			a := newData(s, u)
			a.Layers["copy"] = a.Layers["spliced"]
			return a
		}},
		{"shared pattern", func() *anndata.AnnData {
			a := newData(s, u)
			sp := a.Layers["spliced"].(*array.CSR)
			x := &array.CSR{Rows: sp.Rows, Cols: sp.Cols, Indptr: sp.Indptr, Indices: sp.Indices, Data: slices.Clone(sp.Data)}
			for k := range x.Data {
				x.Data[k] *= 2
			}
			a.X = x
			return a
		}},
		{"shared data", func() *anndata.AnnData {
			a := newData(s, u)
			sp := a.Layers["spliced"].(*array.CSR)
			a.Layers["alias"] = &array.CSR{Rows: sp.Rows, Cols: sp.Cols, Indptr: slices.Clone(sp.Indptr), Indices: slices.Clone(sp.Indices), Data: sp.Data}
			return a
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := tc.build()
			want := map[string]*array.Dense{}
			for k, m := range a.Layers {
				want[k] = array.AsDense(m).SelectCols(keep)
			}
			wantX := array.AsDense(a.X).SelectCols(keep)
			a.SubsetVars(keep)
			if a.NVars() != len(keep) {
				t.Fatalf("%d genes, want %d", a.NVars(), len(keep))
			}
			check := func(what string, m array.Matrix, w *array.Dense) {
				c := m.(*array.CSR)
				if err := c.Validate(); err != nil {
					t.Fatalf("%s: %v", what, err)
				}
				if !slices.Equal(array.AsDense(c).Data, w.Data) {
					t.Errorf("%s differs from the column subset", what)
				}
			}
			check("X", a.X, wantX)
			for k, m := range a.Layers {
				check(k, m, want[k])
			}
		})
	}
}

// Filtering and normalising gives the same bits with 1 and 4 threads,
// also the steps parallelised over GOMAXPROCS.
func TestFilterAndNormalizeThreadsIdentical(t *testing.T) {
	run := func(threads int) *anndata.AnnData {
		a := newData(randomCounts(41, 2500, 300), randomCounts(42, 2500, 300))
		err := FilterAndNormalize(context.Background(), a, FilterAndNormalizeOptions{MinSharedCounts: Int(20), NTopGenes: 100, Threads: threads})
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	one, four := run(1), run(4)
	for _, k := range []string{"X", "spliced", "unspliced"} {
		m1, m4 := one.X, four.X
		if k != "X" {
			m1, m4 = one.Layers[k], four.Layers[k]
		}
		if !slices.Equal(array.AsDense(m1).Data, array.AsDense(m4).Data) {
			t.Errorf("%s differs between 1 and 4 threads", k)
		}
	}
}
