package zarr

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDamagedStores breaks a copy of a fixture in one way each and checks
// the error is one line naming the store and the problem.
func TestDamagedStores(t *testing.T) {
	edit := func(rel, from, to string) func(t *testing.T, dir string) {
		return func(t *testing.T, dir string) {
			p := filepath.Join(dir, filepath.FromSlash(rel))
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(b), from) {
				t.Fatalf("%s does not contain %q", rel, from)
			}
			if err := os.WriteFile(p, []byte(strings.Replace(string(b), from, to, 1)), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	remove := func(rel string) func(t *testing.T, dir string) {
		return func(t *testing.T, dir string) {
			if err := os.Remove(filepath.Join(dir, filepath.FromSlash(rel))); err != nil {
				t.Fatal(err)
			}
		}
	}
	truncate := func(rel string, keep int) func(t *testing.T, dir string) {
		return func(t *testing.T, dir string) {
			p := filepath.Join(dir, filepath.FromSlash(rel))
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, b[:keep], 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	cases := []struct {
		name, store string
		damage      func(t *testing.T, dir string)
		want        string
	}{
		{"missing zarray", "tiny.zarr", remove("obsm/X_umap/.zarray"), "obsm/X_umap: not an array (.zarray is missing)"},
		{"missing sparse part", "tiny.zarr", remove("X/indptr/.zarray"), "X/indptr is missing"},
		{"missing zgroup", "tiny.zarr", remove(".zgroup"), "not a zarr store (.zgroup is missing)"},
		{"truncated blosc chunk", "tiny.zarr", truncate("X/data/0", 20), "chunk X/data/0: blosc: header says"},
		{"truncated zlib chunk", "tiny_zlib.zarr", truncate("layers/spliced/1.1", 10), "chunk layers/spliced/1.1: zlib:"},
		{"truncated vlen chunk", "tiny_zlib.zarr", truncate("var/_index/0", 12), "chunk var/_index/0: zlib:"},
		{"unknown compressor", "tiny_zlib.zarr", edit("layers/spliced/.zarray", `"zlib"`, `"lzma"`), `compressor "lzma" is not supported`},
		{"chunk size mismatch", "tiny_zlib.zarr", edit("layers/spliced/.zarray", "3,\n", "4,\n"), "chunk layers/spliced/0.0 holds 24 bytes, want 32"},
		{"sparse shape mismatch", "tiny.zarr", edit("layers/unspliced/.zattrs", "5\n", "6\n"), "layers/unspliced is 7×6 but obs×var is 7×5"},
		{"obsm rows", "tiny_zlib.zarr", edit("obsm/X_umap/.zarray", "7,", "6,"), "obsm/X_umap has 6 rows but obs has 7"},
		{"bad dtype", "tiny.zarr", edit("obs/score/.zarray", "<f8", "<c16"), `obs/score: dtype "<c16" is not supported`},
		{"bad json", "tiny.zarr", edit("obs/score/.zarray", "{", "["), "obs/score/.zarray:"},
		{"string count", "tiny_zlib.zarr", edit("obs/clusters/categories/.zarray", "3\n", "2\n"), "chunk obs/clusters/categories/0: vlen-utf8: 3 items, want 2"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := copyStore(t, c.store)
			c.damage(t, dir)
			_, err := Read(dir)
			if err == nil {
				t.Fatalf("no error, want %q", c.want)
			}
			msg := err.Error()
			if !strings.Contains(msg, c.want) || !strings.HasPrefix(msg, dir+": ") || strings.Contains(msg, "\n") {
				t.Fatalf("error %q, want one line starting with the store and containing %q", msg, c.want)
			}
		})
	}
}

func TestNotADirectory(t *testing.T) {
	_, err := Read(filepath.Join("testdata", "expected.json"))
	if err == nil || !strings.Contains(err.Error(), "a zarr store is a directory") {
		t.Fatalf("error %v", err)
	}
}
