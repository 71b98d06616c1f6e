package h5ad

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/velo-rna/velo/anndata"
	"github.com/velo-rna/velo/array"
	"github.com/velo-rna/velo/internal/hdf5"
)

func TestRoundTrip(t *testing.T) {
	many := func(n int) *anndata.AnnData {
		a := full()
		cats := make([]string, n)
		for i := range cats {
			cats[i] = fmt.Sprint("cat", i)
		}
		a.Obs.Set("clusters", &anndata.Categorical{Codes: []int32{0, int32(n - 1), -1, 1, 2}, Categories: cats})
		return a
	}
	tests := []struct {
		name     string
		a        func() *anndata.AnnData
		opt      WriteOptions
		codeSize int // bytes per categorical code on disk
	}{
		{"every encoding", full, WriteOptions{}, 1},
		{"float gzip", full, WriteOptions{FloatGzip: 1}, 1},
		{"no X", func() *anndata.AnnData { a := full(); a.X = nil; return a }, WriteOptions{}, 1},
		{"sparse X", func() *anndata.AnnData { a := full(); a.X = a.Layers["spliced"]; return a }, WriteOptions{}, 1},
		{"old index name", func() *anndata.AnnData { a := full(); a.Obs.IndexName = "index"; return a }, WriteOptions{}, 1},
		{"200 categories", func() *anndata.AnnData { return many(200) }, WriteOptions{}, 2},
		{"40000 categories", func() *anndata.AnnData { return many(40000) }, WriteOptions{}, 4},
		{"no cells", func() *anndata.AnnData {
			a := anndata.New(nil, []string{"g"})
			a.X = array.NewDense(0, 1)
			a.Obs.Set("clusters", &anndata.Categorical{Categories: []string{"a"}})
			return a
		}, WriteOptions{}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := tt.a()
			path := filepath.Join(t.TempDir(), "out.h5ad")
			if err := WriteWith(path, want, tt.opt); err != nil {
				t.Fatal(err)
			}
			got, skipped, err := ReadSkipping(path)
			if err != nil {
				t.Fatal(err)
			}
			if len(skipped) != 0 {
				t.Errorf("skipped %v", skipped)
			}
			sameAnnData(t, got, want)
			if size := codeSize(t, path); size != tt.codeSize {
				t.Errorf("categorical codes stored with %d bytes, want %d", size, tt.codeSize)
			}
		})
	}
}

// codeSize returns the element size of obs/clusters/codes.
func codeSize(t *testing.T, path string) int {
	f, err := hdf5.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	root, _ := f.Root()
	defer root.Close()
	d, err := root.OpenDataset("obs/clusters/codes")
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	return d.Type().Size
}

// The same AnnData written twice, on one core or several, gives identical
// files.
func TestWriteDeterministic(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, procs int) []byte {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		path := filepath.Join(dir, name)
		if err := WriteWith(path, full(), WriteOptions{FloatGzip: 1}); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	first := write("a.h5ad", 1)
	for i, procs := range []int{1, 4} {
		if !bytes.Equal(write(fmt.Sprint(i, ".h5ad"), procs), first) {
			t.Errorf("GOMAXPROCS=%d wrote different bytes", procs)
		}
	}
}

// Failed writes leave neither a partial file nor a temporary one, and keep
// an existing destination.
func TestWriteFailureLeavesNothing(t *testing.T) {
	tests := []struct {
		name string
		edit func(a *anndata.AnnData)
		want string
	}{
		{"unsupported uns value", func(a *anndata.AnnData) { a.Uns["neighbors"].(map[string]any)["k"] = 3 },
			"uns/neighbors/k: values of type int cannot be stored in uns"},
		{"layer shape", func(a *anndata.AnnData) { a.Layers["Mu"] = array.NewDense(5, 2) },
			"cannot write: layer Mu is 5×2, want 5×3"},
		{"broken CSR", func(a *anndata.AnnData) { a.Obsp["distances"].Indices[0] = 9 },
			"distances: row 0 has column index 9 outside [0, 5)"},
		{"index name clash", func(a *anndata.AnnData) { a.Obs.IndexName = "note" },
			`obs: column "note" has the index's name`},
		{"slash in a key", func(a *anndata.AnnData) { a.Uns["pca"].(map[string]any)["a/b"] = 1.0 },
			`uns/pca: key "a/b" cannot be stored`},
		{"slash in a layer name", func(a *anndata.AnnData) { a.Layers["x/y"] = a.Layers["Ms"] },
			`layers: key "x/y" cannot be stored`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "out.h5ad")
			if err := os.WriteFile(path, []byte("previous"), 0o644); err != nil {
				t.Fatal(err)
			}
			a := full()
			tt.edit(a)
			err := Write(path, a)
			if err == nil || !strings.HasPrefix(err.Error(), path+": ") || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Write error = %v, want %q after the path", err, tt.want)
			}
			entries, _ := os.ReadDir(dir)
			if len(entries) != 1 {
				t.Errorf("directory holds %d entries, want only the old file", len(entries))
			}
			if b, _ := os.ReadFile(path); string(b) != "previous" {
				t.Errorf("destination was modified")
			}
		})
	}
}
