package loom

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/velo-rna/velo/array"
	"github.com/velo-rna/velo/internal/hdf5"
)

// spec describes a loom file to write. Matrices are genes × cells,
// row-major.
type spec struct {
	genes, cells []string
	matrix       []float32
	layers       map[string][]uint16
	floatLayer   map[string][]float32
	colAttrs     map[string]any // []string, []int64, []float64 or 2-D []float32 with colCols
	colCols      int
	rowAttrs     map[string]any
	skip         string // a required object to leave out: "matrix", "CellID", "Gene"
	layerShape   []int  // written shape of layers (default genes × cells)
}

func writeLoom(t testing.TB, path string, s spec) {
	t.Helper()
	f, err := hdf5.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	root, err := f.Root()
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	must := func(d *hdf5.Dataset, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		d.Close()
	}
	dims := []int{len(s.genes), len(s.cells)}
	if s.skip != "matrix" {
		must(hdf5.WriteNumeric(root, "matrix", s.matrix, dims, hdf5.Layout{}))
	}
	shape := dims
	if s.layerShape != nil {
		shape = s.layerShape
	}
	lg, err := root.CreateGroup("layers")
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range s.layers {
		must(hdf5.WriteNumeric(lg, k, v, shape, hdf5.Layout{Gzip: 4}))
	}
	for k, v := range s.floatLayer {
		must(hdf5.WriteNumeric(lg, k, v, shape, hdf5.Layout{}))
	}
	lg.Close()
	writeAttrs := func(group string, names []string, key string, extra map[string]any, cols int) {
		g, err := root.CreateGroup(group)
		if err != nil {
			t.Fatal(err)
		}
		defer g.Close()
		if s.skip != key {
			must(g.WriteStrings(key, names, hdf5.Layout{}))
		}
		for k, v := range extra {
			switch x := v.(type) {
			case []string:
				must(g.WriteStrings(k, x, hdf5.Layout{}))
			case []int64:
				must(hdf5.WriteNumeric(g, k, x, nil, hdf5.Layout{}))
			case []float64:
				must(hdf5.WriteNumeric(g, k, x, nil, hdf5.Layout{}))
			case []float32:
				must(hdf5.WriteNumeric(g, k, x, []int{len(x) / cols, cols}, hdf5.Layout{}))
			default:
				t.Fatalf("attribute type %T", v)
			}
		}
	}
	writeAttrs("col_attrs", s.cells, "CellID", s.colAttrs, s.colCols)
	writeAttrs("row_attrs", s.genes, "Gene", s.rowAttrs, 1)
}

// small is a 3-gene × 2-cell velocyto-like loom whose symbol Gad1 repeats.
func small() spec {
	return spec{
		genes:  []string{"Gad1", "Gad1", "Sox2"},
		cells:  []string{"s:AAACx", "s:TTTGx"},
		matrix: []float32{5, 0, 0, 2, 1, 1},
		layers: map[string][]uint16{
			"spliced":   {4, 0, 0, 2, 1, 0},
			"unspliced": {1, 0, 0, 0, 0, 1},
			"ambiguous": {0, 0, 0, 0, 0, 0},
		},
		colAttrs: map[string]any{"clusters": []string{"A", "B"}, "n": []int64{3, 4}, "X_umap": []float32{1, 2, 3, 4}},
		colCols:  2,
		rowAttrs: map[string]any{"Accession": []string{"G1", "G2", "G3"}, "Start": []int64{10, 20, 30}},
	}
}

func TestReadSmall(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.loom")
	writeLoom(t, path, small())
	a, err := Read(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Validate(); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(a.Var.Index, []string{"Gad1", "Gad1-1", "Sox2"}) || !slices.Equal(a.Obs.Index, []string{"s:AAACx", "s:TTTGx"}) {
		t.Fatalf("names %q × %q", a.Obs.Index, a.Var.Index)
	}
	ids, _ := a.Var.Strings("gene_ids")
	start, _ := a.Var.Get("Start")
	if !slices.Equal(ids, []string{"G1", "G2", "G3"}) || !slices.Equal(start.([]int64), []int64{10, 20, 30}) {
		t.Errorf("var gene_ids %q Start %v", ids, start)
	}
	cl, _ := a.Obs.Strings("clusters")
	n, _ := a.Obs.Get("n")
	if !slices.Equal(cl, []string{"A", "B"}) || !slices.Equal(n.([]int64), []int64{3, 4}) {
		t.Errorf("obs clusters %q n %v", cl, n)
	}
	if u := a.Obsm["X_umap"]; u == nil || u.Rows != 2 || u.Cols != 2 || u.At(1, 0) != 3 {
		t.Errorf("obsm X_umap %+v", u)
	}
	want := map[string][][]float32{
		"spliced":   {{4, 0, 1}, {0, 2, 0}},
		"unspliced": {{1, 0, 0}, {0, 0, 1}},
		"matrix":    {{5, 0, 1}, {0, 2, 1}},
	}
	for k, w := range want {
		m := a.Layers[k].(*array.CSR)
		if err := m.Validate(); err != nil {
			t.Fatalf("%s: %v", k, err)
		}
		d := m.ToDense()
		for i := range w {
			if !slices.Equal(d.Row(i), w[i]) {
				t.Errorf("%s = %v, want %v", k, d.Data, w)
			}
		}
	}
	if x := array.AsDense(a.X); !slices.Equal(x.Data, []float32{4, 0, 1, 0, 2, 0}) {
		t.Errorf("X = %v, want spliced", x.Data)
	}
}

func TestNoSplicedLayer(t *testing.T) {
	s := small()
	s.layers = nil
	path := filepath.Join(t.TempDir(), "s.loom")
	writeLoom(t, path, s)
	a, err := Read(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if x := array.AsDense(a.X); !slices.Equal(x.Data, []float32{5, 0, 1, 0, 2, 1}) || len(a.Layers) != 0 {
		t.Errorf("X = %v, layers %v: want /matrix and no layers", x.Data, len(a.Layers))
	}
}

func TestReadErrors(t *testing.T) {
	tests := []struct {
		name   string
		change func(*spec)
		want   string
	}{
		{"no matrix", func(s *spec) { s.skip = "matrix" }, "no /matrix: not a loom file"},
		{"no CellID", func(s *spec) { s.skip = "CellID" }, "no /col_attrs/CellID"},
		{"no Gene", func(s *spec) { s.skip = "Gene" }, "no /row_attrs/Gene"},
		{"duplicate CellID", func(s *spec) { s.cells = []string{"a", "a"} }, `/col_attrs/CellID: CellID "a" appears twice`},
		{"attribute length", func(s *spec) { s.colAttrs["n"] = []int64{1, 2, 3} }, "/col_attrs/n: shape [3], want 2 entries"},
		{"layer shape", func(s *spec) {
			s.layerShape = []int{2, 3}
		}, "/layers/ambiguous has shape [2 3], want [3 2]"},
		{"negative value", func(s *spec) {
			s.floatLayer = map[string][]float32{"extra": {0, 0, -1, 0, 0, 0}}
		}, "/layers/extra: value -1 at gene 1, cell 0: not a count"},
		{"NaN", func(s *spec) { s.matrix[5] = float32(math.NaN()) }, "/matrix: value NaN at gene 2, cell 1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := small()
			tc.change(&s)
			path := filepath.Join(t.TempDir(), "s.loom")
			writeLoom(t, path, s)
			_, err := Read(path, Options{})
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), path) {
				t.Fatalf("error %v, want %q and the path", err, tc.want)
			}
		})
	}
}

func TestNotHDF5(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.loom")
	writeText(t, path, "not hdf5")
	if _, err := Read(path, Options{}); err == nil {
		t.Fatal("no error")
	}
}

// randomLoom writes a loom of the given size with about 10% non-zeros.
func randomLoom(t testing.TB, path string, genes, cells int) {
	rng := rand.New(rand.NewPCG(1, uint64(genes)))
	s := spec{layers: map[string][]uint16{}}
	for g := 0; g < genes; g++ {
		s.genes = append(s.genes, fmt.Sprintf("g%d", g))
	}
	for c := 0; c < cells; c++ {
		s.cells = append(s.cells, fmt.Sprintf("s:%dx", c))
	}
	s.matrix = make([]float32, genes*cells)
	for _, k := range []string{"spliced", "unspliced"} {
		v := make([]uint16, genes*cells)
		for i := range v {
			if rng.IntN(10) == 0 {
				v[i] = uint16(rng.IntN(30) + 1)
				s.matrix[i] += float32(v[i])
			}
		}
		s.layers[k] = v
	}
	writeLoom(t, path, s)
}

func TestThreadsSameBits(t *testing.T) {
	path := filepath.Join(t.TempDir(), "r.loom")
	randomLoom(t, path, 50, 3*cellChunk+17) // several chunks, the last partial
	a1, err := Read(path, Options{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	a4, err := Read(path, Options{Threads: 4})
	if err != nil {
		t.Fatal(err)
	}
	for k := range a1.Layers {
		m1, m4 := a1.Layers[k].(*array.CSR), a4.Layers[k].(*array.CSR)
		if err := m1.Validate(); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(m1.Indptr, m4.Indptr) || !slices.Equal(m1.Indices, m4.Indices) || !slices.Equal(m1.Data, m4.Data) {
			t.Errorf("layer %s differs between 1 and 4 threads", k)
		}
	}
}

func BenchmarkReadLoom(b *testing.B) {
	const genes, cells = 2000, 3696
	path := filepath.Join(b.TempDir(), "r.loom")
	randomLoom(b, path, genes, cells)
	b.Run(fmt.Sprintf("cells=%d/genes=%d", cells, genes), func(b *testing.B) {
		for b.Loop() {
			if _, err := Read(path, Options{}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func writeText(t *testing.T, path, s string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}
