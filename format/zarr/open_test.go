package zarr_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/velo-rna/velo/format"
	"github.com/velo-rna/velo/format/zarr"
)

// TestFormatOpen checks that format recognises stores and reads them
// through this package, and does not mistake other directories for one.
func TestFormatOpen(t *testing.T) {
	for _, store := range []string{"tiny.zarr", "tiny_zlib.zarr"} {
		p := filepath.Join("testdata", store)
		if k, err := format.Kind(p); err != nil || k != format.KindZarr {
			t.Fatalf("Kind(%s) = %q, %v; want %q", p, k, err, format.KindZarr)
		}
		a, err := format.Open(p, format.OpenOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if a.NObs() != 7 || a.NVars() != 5 || len(a.Layers) != 2 {
			t.Errorf("%s: %d×%d with %d layers, want 7×5 with 2", store, a.NObs(), a.NVars(), len(a.Layers))
		}
	}
	if zarr.IsStore("testdata") {
		t.Error("testdata, which has no .zgroup, was taken for a store")
	}
	plain := t.TempDir()
	if err := os.WriteFile(filepath.Join(plain, ".zgroup"), []byte(`{"zarr_format": 2}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if zarr.IsStore(plain) {
		t.Error("a zarr group without AnnData content was taken for a store")
	}
}
