package h5ad

import (
	"math"
	"reflect"
	"testing"

	"github.com/velo-rna/velo/anndata"
	"github.com/velo-rna/velo/array"
)

// sameAnnData fails the test at the first difference between got and want.
// Floats compare by bits (NaN equals NaN) and empty slices equal nil ones.
func sameAnnData(t *testing.T, got, want *anndata.AnnData) {
	t.Helper()
	sameValue(t, "X", matrixValue(got.X), matrixValue(want.X))
	sameMap(t, "layers", got.Layers, want.Layers, func(m array.Matrix) any { return matrixValue(m) })
	sameFrame(t, "obs", got.Obs, want.Obs)
	sameFrame(t, "var", got.Var, want.Var)
	sameMap(t, "obsm", got.Obsm, want.Obsm, func(m *array.Dense) any { return m })
	sameMap(t, "varm", got.Varm, want.Varm, func(m *array.Dense) any { return m })
	sameMap(t, "obsp", got.Obsp, want.Obsp, func(m *array.CSR) any { return m })
	sameValue(t, "uns", got.Uns, want.Uns)
}

// matrixValue lets nil matrices compare equal whatever their static type.
func matrixValue(m array.Matrix) any {
	if m == nil || reflect.ValueOf(m).IsNil() {
		return nil
	}
	return m
}

func sameMap[V any](t *testing.T, path string, got, want map[string]V, conv func(V) any) {
	t.Helper()
	if !reflect.DeepEqual(anndata.SortedKeys(got), anndata.SortedKeys(want)) {
		t.Fatalf("%s keys = %v, want %v", path, anndata.SortedKeys(got), anndata.SortedKeys(want))
	}
	for _, k := range anndata.SortedKeys(want) {
		sameValue(t, path+"/"+k, conv(got[k]), conv(want[k]))
	}
}

func sameFrame(t *testing.T, path string, got, want *anndata.Frame) {
	t.Helper()
	sameValue(t, path+" index", got.Index, want.Index)
	if got.IndexName != want.IndexName {
		t.Fatalf("%s index name = %q, want %q", path, got.IndexName, want.IndexName)
	}
	var gotNames, wantNames []string
	for _, c := range got.Columns() {
		gotNames = append(gotNames, c.Name)
	}
	for _, c := range want.Columns() {
		wantNames = append(wantNames, c.Name)
	}
	if !reflect.DeepEqual(gotNames, wantNames) {
		t.Fatalf("%s columns = %v, want %v", path, gotNames, wantNames)
	}
	for _, c := range want.Columns() {
		g, _ := got.Get(c.Name)
		sameValue(t, path+"/"+c.Name, g, c.Data)
	}
}

func sameValue(t *testing.T, path string, got, want any) {
	t.Helper()
	if reflect.TypeOf(got) != reflect.TypeOf(want) {
		t.Fatalf("%s has type %T, want %T", path, got, want)
	}
	switch w := want.(type) {
	case nil:
	case map[string]any:
		sameMap(t, path, got.(map[string]any), w, func(v any) any { return v })
	case *array.Dense:
		g := got.(*array.Dense)
		if g.Rows != w.Rows || g.Cols != w.Cols {
			t.Fatalf("%s is %d×%d, want %d×%d", path, g.Rows, g.Cols, w.Rows, w.Cols)
		}
		sameValue(t, path, g.Data, w.Data)
	case *array.CSR:
		g := got.(*array.CSR)
		if g.Rows != w.Rows || g.Cols != w.Cols {
			t.Fatalf("%s is %d×%d, want %d×%d", path, g.Rows, g.Cols, w.Rows, w.Cols)
		}
		sameValue(t, path+" indptr", g.Indptr, w.Indptr)
		sameValue(t, path+" indices", g.Indices, w.Indices)
		sameValue(t, path+" data", g.Data, w.Data)
	case *anndata.Categorical:
		g := got.(*anndata.Categorical)
		sameValue(t, path+" codes", g.Codes, w.Codes)
		sameValue(t, path+" categories", g.Categories, w.Categories)
		if g.Ordered != w.Ordered {
			t.Fatalf("%s ordered = %v, want %v", path, g.Ordered, w.Ordered)
		}
	case []float32:
		g := got.([]float32)
		sameLen(t, path, len(g), len(w))
		for i := range w {
			if math.Float32bits(g[i]) != math.Float32bits(w[i]) {
				t.Fatalf("%s[%d] = %v, want %v", path, i, g[i], w[i])
			}
		}
	case []float64:
		g := got.([]float64)
		sameLen(t, path, len(g), len(w))
		for i := range w {
			if math.Float64bits(g[i]) != math.Float64bits(w[i]) {
				t.Fatalf("%s[%d] = %v, want %v", path, i, g[i], w[i])
			}
		}
	default:
		gv, wv := reflect.ValueOf(got), reflect.ValueOf(want)
		if wv.Kind() == reflect.Slice && gv.Len() == 0 && wv.Len() == 0 {
			return
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%s = %v, want %v", path, got, want)
		}
	}
}

func sameLen(t *testing.T, path string, got, want int) {
	t.Helper()
	if got != want {
		t.Fatalf("%s has %d elements, want %d", path, got, want)
	}
}
