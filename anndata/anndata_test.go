package anndata

import (
	"reflect"
	"strings"
	"testing"

	"github.com/velo-rna/velo/array"
)

func small() *AnnData {
	a := New([]string{"c1", "c2", "c3"}, []string{"g1", "g2"})
	a.X = &array.Dense{Rows: 3, Cols: 2, Data: []float32{1, 2, 3, 4, 5, 6}}
	a.Layers["spliced"] = a.X.(*array.Dense).ToCSR()
	a.Obs.Set("clusters", &Categorical{Codes: []int32{0, 1, -1}, Categories: []string{"A", "B"}})
	a.Var.Set("gamma", []float64{0.5, 1.5})
	a.Obsm["X_umap"] = &array.Dense{Rows: 3, Cols: 2, Data: make([]float32, 6)}
	a.Varm["PCs"] = &array.Dense{Rows: 2, Cols: 1, Data: []float32{7, 8}}
	return a
}

func TestValidate(t *testing.T) {
	a := small()
	if err := a.Validate(); err != nil {
		t.Fatal(err)
	}
	a.Layers["unspliced"] = &array.Dense{Rows: 3, Cols: 3, Data: make([]float32, 9)}
	if err := a.Validate(); err == nil || !strings.Contains(err.Error(), "layer unspliced is 3×3") {
		t.Fatalf("shape mismatch not reported: %v", err)
	}
	b := small()
	b.Obs.Index[2] = "c1"
	if err := b.Validate(); err == nil || !strings.Contains(err.Error(), `duplicate name "c1"`) {
		t.Fatalf("duplicate cell name not reported: %v", err)
	}
}

func TestSubsetVarsAndObs(t *testing.T) {
	a := small()
	a.SubsetVars([]int{1})
	if a.NVars() != 1 || a.Var.Index[0] != "g2" || a.Varm["PCs"].Data[0] != 8 {
		t.Fatal("SubsetVars kept the wrong gene")
	}
	if got := array.AsDense(a.Layers["spliced"]).Data; !reflect.DeepEqual(got, []float32{2, 4, 6}) {
		t.Fatalf("spliced after SubsetVars %v", got)
	}
	a.SubsetObs([]int{0, 2})
	cl, _ := a.Obs.Strings("clusters")
	if !reflect.DeepEqual(cl, []string{"A", ""}) || !reflect.DeepEqual(a.Obs.Index, []string{"c1", "c3"}) {
		t.Fatalf("SubsetObs: clusters %v, index %v", cl, a.Obs.Index)
	}
	if err := a.Validate(); err != nil {
		t.Fatal(err)
	}
}

func TestFrameColumns(t *testing.T) {
	f := NewFrame([]string{"a", "b"})
	f.Set("x", []int32{1, 2})
	f.Set("flag", []bool{true, false})
	f.Set("x", []int32{3, 4}) // replacing keeps the position
	if cols := f.Columns(); cols[0].Name != "x" || cols[1].Name != "flag" {
		t.Fatalf("column order %v", cols)
	}
	v, err := f.Float64("x")
	if err != nil || !reflect.DeepEqual(v, []float64{3, 4}) {
		t.Fatalf("Float64: %v %v", v, err)
	}
	if _, err := f.Bool("x"); err == nil {
		t.Fatal("Bool accepted an integer column")
	}
	f.Delete("x")
	if f.Has("x") {
		t.Fatal("Delete left the column")
	}
	defer func() {
		if recover() == nil {
			t.Fatal("Set accepted a column of the wrong length")
		}
	}()
	f.Set("bad", []float64{1})
}
