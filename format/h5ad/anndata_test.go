package h5ad

import (
	"encoding/json"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/velo-rna/velo/anndata"
	"github.com/velo-rna/velo/array"
)

// pythonView is a Python program that loads an .h5ad with anndata and prints
// what it sees as JSON; floats that JSON cannot hold become strings.
const pythonView = `
import json, math, sys, warnings
import numpy as np, pandas as pd, scipy.sparse as sp
warnings.simplefilter("ignore")
import anndata

def num(x):
    if isinstance(x, float) and not math.isfinite(x):
        return str(x)
    return x

def values(arr):
    return [num(x) for x in np.asarray(arr).ravel().tolist()]

def matrix(m):
    if m is None:
        return None
    return {"sparse": bool(sp.issparse(m)), "dtype": str(m.dtype), "shape": list(m.shape),
            "values": values(m.toarray() if sp.issparse(m) else m)}

def column(s):
    if isinstance(s.dtype, pd.CategoricalDtype):
        return {"categories": list(s.cat.categories), "codes": s.cat.codes.tolist(), "ordered": bool(s.cat.ordered)}
    return {"dtype": str(s.dtype), "values": values(s.to_numpy())}

def uns(v):
    if hasattr(v, "keys"):
        return {k: uns(v[k]) for k in v.keys()}
    if sp.issparse(v):
        return matrix(v)
    if isinstance(v, str):
        return {"str": v}
    if isinstance(v, (bool, np.bool_)):
        return {"bool": bool(v)}
    if isinstance(v, (int, np.integer)):
        return {"int": int(v)}
    if isinstance(v, (float, np.floating)):
        return {"float": num(float(v))}
    return {"array": str(v.dtype), "shape": list(v.shape), "values": values(v)}

a = anndata.read_h5ad(sys.argv[1])
print(json.dumps({
    "obs_names": list(a.obs_names), "var_names": list(a.var_names),
    "X": matrix(a.X),
    "layers": {k: matrix(a.layers[k]) for k in a.layers.keys()},
    "obs": {k: column(a.obs[k]) for k in a.obs.columns}, "obs_columns": list(a.obs.columns),
    "var": {k: column(a.var[k]) for k in a.var.columns}, "var_columns": list(a.var.columns),
    "obsm": {k: matrix(a.obsm[k]) for k in a.obsm.keys()},
    "varm": {k: matrix(a.varm[k]) for k in a.varm.keys()},
    "obsp": {k: matrix(a.obsp[k]) for k in a.obsp.keys()},
    "uns": uns(a.uns),
}))
`

// python returns an interpreter with anndata (VELO_PYTHON, default Debian's
// /usr/bin/python3), skipping the test when there is none unless
// VELO_REQUIRE_ANNDATA=1 demands it.
func python(t *testing.T) string {
	t.Helper()
	py := os.Getenv("VELO_PYTHON")
	if py == "" {
		py = "/usr/bin/python3"
	}
	if err := exec.Command(py, "-c", "import anndata").Run(); err != nil {
		if os.Getenv("VELO_REQUIRE_ANNDATA") == "1" {
			t.Fatalf("VELO_REQUIRE_ANNDATA=1 but %s cannot import anndata: %v", py, err)
		}
		t.Skipf("anndata interoperability test skipped: %s cannot import anndata (install python3-anndata)", py)
	}
	return py
}

// Files velo writes must load in anndata with every value intact.
func TestAnnDataReadsOutput(t *testing.T) {
	py := python(t)
	a := full()
	path := filepath.Join(t.TempDir(), "velo.h5ad")
	if err := Write(path, a); err != nil {
		t.Fatal(err)
	}
	anndataSees(t, py, path, a)
}

// anndataSees fails the test unless Python's anndata loads path as a.
func anndataSees(t *testing.T, py, path string, a *anndata.AnnData) {
	t.Helper()
	out, err := exec.Command(py, "-c", pythonView, path).Output()
	if err != nil {
		var stderr []byte
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = ee.Stderr
		}
		t.Fatalf("anndata failed to read velo's file: %v\n%s", err, stderr)
	}
	var got any
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("bad JSON from python: %v\n%s", err, out)
	}
	var want any
	b, err := json.Marshal(pyView(a))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &want); err != nil {
		t.Fatal(err)
	}
	gm, wm := got.(map[string]any), want.(map[string]any)
	for _, k := range anndata.SortedKeys(wm) {
		if !reflect.DeepEqual(gm[k], wm[k]) {
			g, _ := json.Marshal(gm[k])
			w, _ := json.Marshal(wm[k])
			t.Errorf("anndata sees %s =\n%.2000s\nwant\n%.2000s", k, g, w)
		}
	}
}

// pyView is what pythonView should print for a.
func pyView(a *anndata.AnnData) map[string]any {
	mats := func(m map[string]*array.Dense) map[string]any {
		out := map[string]any{}
		for k, v := range m {
			out[k] = matrixView(v)
		}
		return out
	}
	layers := map[string]any{}
	for k, v := range a.Layers {
		layers[k] = matrixView(v)
	}
	obsp := map[string]any{}
	for k, v := range a.Obsp {
		obsp[k] = matrixView(v)
	}
	obs, obsCols := frameView(a.Obs)
	vars, varCols := frameView(a.Var)
	return map[string]any{
		"obs_names": a.Obs.Index, "var_names": a.Var.Index,
		"X":      matrixView(a.X),
		"layers": layers,
		"obs":    obs, "obs_columns": obsCols,
		"var": vars, "var_columns": varCols,
		"obsm": mats(a.Obsm), "varm": mats(a.Varm), "obsp": obsp,
		"uns": unsView(a.Uns),
	}
}

// num mirrors num() in pythonView: Python's str() of non-finite floats.
func num(x float64) any {
	switch {
	case math.IsNaN(x):
		return "nan"
	case math.IsInf(x, 1):
		return "inf"
	case math.IsInf(x, -1):
		return "-inf"
	}
	return x
}

func floats[T float32 | float64 | int32 | int64](v []T) []any {
	out := make([]any, len(v))
	for i, x := range v {
		out[i] = num(float64(x))
	}
	return out
}

func matrixView(m array.Matrix) any {
	if m == nil {
		return nil
	}
	r, c := m.Shape()
	_, sparse := m.(*array.CSR)
	return map[string]any{"sparse": sparse, "dtype": "float32", "shape": []int{r, c}, "values": floats(array.AsDense(m).Data)}
}

func frameView(f *anndata.Frame) (map[string]any, []string) {
	out := map[string]any{}
	names := []string{}
	for _, c := range f.Columns() {
		names = append(names, c.Name)
		switch v := c.Data.(type) {
		case *anndata.Categorical:
			out[c.Name] = map[string]any{"categories": v.Categories, "codes": v.Codes, "ordered": v.Ordered}
		case []float64:
			out[c.Name] = map[string]any{"dtype": "float64", "values": floats(v)}
		case []float32:
			out[c.Name] = map[string]any{"dtype": "float32", "values": floats(v)}
		case []int64:
			out[c.Name] = map[string]any{"dtype": "int64", "values": floats(v)}
		case []int32:
			out[c.Name] = map[string]any{"dtype": "int32", "values": floats(v)}
		case []bool:
			out[c.Name] = map[string]any{"dtype": "bool", "values": v}
		case []string:
			out[c.Name] = map[string]any{"dtype": "object", "values": v}
		}
	}
	return out, names
}

func unsView(v any) any {
	switch t := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, x := range t {
			out[k] = unsView(x)
		}
		return out
	case string:
		return map[string]any{"str": t}
	case bool:
		return map[string]any{"bool": t}
	case int64:
		return map[string]any{"int": t}
	case float64:
		return map[string]any{"float": num(t)}
	case []string:
		return map[string]any{"array": "object", "shape": []int{len(t)}, "values": t}
	case []bool:
		return map[string]any{"array": "bool", "shape": []int{len(t)}, "values": t}
	case []int64:
		return map[string]any{"array": "int64", "shape": []int{len(t)}, "values": floats(t)}
	case []float64:
		return map[string]any{"array": "float64", "shape": []int{len(t)}, "values": floats(t)}
	case *array.Dense:
		return map[string]any{"array": "float32", "shape": []int{t.Rows, t.Cols}, "values": floats(t.Data)}
	case *array.CSR:
		return matrixView(t)
	}
	panic("unexpected uns value")
}
