package zarr

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/velo-rna/velo/anndata"
	"github.com/velo-rna/velo/array"
)

// expected mirrors testdata/expected.json, written by make_fixtures.py
// from the AnnData it stored.
type expected struct {
	Shape    []int       `json:"shape"`
	ObsNames []string    `json:"obs_names"`
	VarNames []string    `json:"var_names"`
	X        [][]float64 `json:"X"`
	Spliced  [][]float64 `json:"spliced"`
	Unspl    [][]float64 `json:"unspliced"`
	Obs      struct {
		Clusters struct {
			Codes      []int32  `json:"codes"`
			Categories []string `json:"categories"`
		} `json:"clusters"`
		Score   []float64 `json:"score"`
		NCounts []int64   `json:"n_counts"`
	} `json:"obs"`
	Var struct {
		GeneSymbol     []string `json:"gene_symbol"`
		HighlyVariable []bool   `json:"highly_variable"`
	} `json:"var"`
	Obsm map[string][][]float64 `json:"obsm"`
	Varm map[string][][]float64 `json:"varm"`
	Obsp map[string][][]float64 `json:"obsp"`
	Uns  struct {
		Neighbors struct {
			Params struct {
				Method     string `json:"method"`
				NNeighbors int64  `json:"n_neighbors"`
			} `json:"params"`
		} `json:"neighbors"`
		Title  string   `json:"title"`
		Pi     float64  `json:"pi"`
		Groups []string `json:"groups"`
	} `json:"uns"`
}

func loadExpected(t *testing.T) *expected {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "expected.json"))
	if err != nil {
		t.Fatal(err)
	}
	var e expected
	if err := json.Unmarshal(b, &e); err != nil {
		t.Fatal(err)
	}
	return &e
}

// sameMatrix compares a matrix with its expected rows. The fixture values
// are float32 numbers printed exactly by Python, so equality is exact.
func sameMatrix(t *testing.T, name string, m array.Matrix, want [][]float64) {
	t.Helper()
	if m == nil {
		t.Errorf("%s is missing", name)
		return
	}
	d := array.AsDense(m)
	if d.Rows != len(want) || (len(want) > 0 && d.Cols != len(want[0])) {
		t.Errorf("%s is %d×%d, want %d×%d", name, d.Rows, d.Cols, len(want), len(want[0]))
		return
	}
	for i, row := range want {
		for j, v := range row {
			if got := d.At(i, j); got != float32(v) {
				t.Errorf("%s[%d,%d] = %v, want %v", name, i, j, got, v)
			}
		}
	}
}

func TestReadFixtures(t *testing.T) {
	e := loadExpected(t)
	for _, store := range []string{"tiny.zarr", "tiny_zlib.zarr"} {
		t.Run(store, func(t *testing.T) {
			a, skipped, err := ReadSkipping(filepath.Join("testdata", store))
			if err != nil {
				t.Fatal(err)
			}
			if len(skipped) != 0 {
				t.Errorf("skipped %v", skipped)
			}
			if err := a.Validate(); err != nil {
				t.Fatal(err)
			}
			if a.NObs() != e.Shape[0] || a.NVars() != e.Shape[1] {
				t.Fatalf("shape %d×%d, want %v", a.NObs(), a.NVars(), e.Shape)
			}
			if !reflect.DeepEqual(a.Obs.Index, e.ObsNames) || !reflect.DeepEqual(a.Var.Index, e.VarNames) {
				t.Errorf("names %v %v, want %v %v", a.Obs.Index, a.Var.Index, e.ObsNames, e.VarNames)
			}
			if _, ok := a.X.(*array.CSR); !ok {
				t.Errorf("X is %T, want CSR as stored", a.X)
			}
			sameMatrix(t, "X", a.X, e.X)
			sameMatrix(t, "spliced", a.Layers["spliced"], e.Spliced)
			sameMatrix(t, "unspliced", a.Layers["unspliced"], e.Unspl)
			for k, want := range e.Obsm {
				sameMatrix(t, "obsm/"+k, a.Obsm[k], want)
			}
			for k, want := range e.Varm {
				sameMatrix(t, "varm/"+k, a.Varm[k], want)
			}
			for k, want := range e.Obsp {
				sameMatrix(t, "obsp/"+k, a.Obsp[k], want)
			}
			checkColumns(t, a, e)
			wantUns := map[string]any{
				"neighbors": map[string]any{"params": map[string]any{
					"method": e.Uns.Neighbors.Params.Method, "n_neighbors": e.Uns.Neighbors.Params.NNeighbors}},
				"title":  e.Uns.Title,
				"pi":     e.Uns.Pi,
				"groups": e.Uns.Groups,
			}
			if !reflect.DeepEqual(a.Uns, wantUns) {
				t.Errorf("uns = %#v, want %#v", a.Uns, wantUns)
			}
		})
	}
}

func checkColumns(t *testing.T, a *anndata.AnnData, e *expected) {
	t.Helper()
	cl, _ := a.Obs.Get("clusters")
	want := &anndata.Categorical{Codes: e.Obs.Clusters.Codes, Categories: e.Obs.Clusters.Categories}
	if !reflect.DeepEqual(cl, want) {
		t.Errorf("obs/clusters = %#v, want %#v", cl, want)
	}
	if !reflect.DeepEqual(want.Codes, []int32{0, 1, -1, 0, 2, 1, 0}) {
		t.Errorf("fixture lost its missing value: codes %v", want.Codes)
	}
	score, _ := a.Obs.Get("score")
	if !reflect.DeepEqual(score, e.Obs.Score) {
		t.Errorf("obs/score = %v, want %v", score, e.Obs.Score)
	}
	counts, _ := a.Obs.Get("n_counts")
	if !reflect.DeepEqual(counts, e.Obs.NCounts) {
		t.Errorf("obs/n_counts = %v, want %v", counts, e.Obs.NCounts)
	}
	sym, _ := a.Var.Get("gene_symbol")
	if !reflect.DeepEqual(sym, e.Var.GeneSymbol) {
		t.Errorf("var/gene_symbol = %v, want %v", sym, e.Var.GeneSymbol)
	}
	hv, _ := a.Var.Get("highly_variable")
	if !reflect.DeepEqual(hv, e.Var.HighlyVariable) {
		t.Errorf("var/highly_variable = %v, want %v", hv, e.Var.HighlyVariable)
	}
	if got := len(a.Obs.Columns()); got != 3 {
		t.Errorf("obs has %d columns, want 3", got)
	}
}

// TestMissingChunkIsFill removes one chunk of a multi-chunk array: zarr
// reads it as fill_value (0 here) and so must the reader.
func TestMissingChunkIsFill(t *testing.T) {
	dir := copyStore(t, "tiny_zlib.zarr")
	if err := os.Remove(filepath.Join(dir, "layers", "spliced", "1.1")); err != nil {
		t.Fatal(err)
	}
	a, err := Read(dir)
	if err != nil {
		t.Fatal(err)
	}
	e := loadExpected(t)
	d := array.AsDense(a.Layers["spliced"])
	for i := 0; i < d.Rows; i++ {
		for j := 0; j < d.Cols; j++ {
			want := float32(e.Spliced[i][j])
			if i >= 3 && i < 6 && j >= 2 && j < 4 {
				want = 0
			}
			if got := d.At(i, j); got != want {
				t.Errorf("spliced[%d,%d] = %v, want %v", i, j, got, want)
			}
		}
	}
}

// copyStore copies a fixture store to a temporary directory tests may
// damage.
func copyStore(t *testing.T, name string) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), name)
	if err := os.CopyFS(dst, os.DirFS(filepath.Join("testdata", name))); err != nil {
		t.Fatal(err)
	}
	return dst
}
