package format

import (
	"compress/gzip"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/velo-rna/velo/format/internal/testref"
	"github.com/velo-rna/velo/internal/hdf5"
	"github.com/velo-rna/velo/internal/testenv"
)

func velocytoBarcode(s string) string {
	if i := strings.LastIndexByte(s, ':'); i >= 0 {
		s = s[i+1:]
	}
	return strings.TrimSuffix(s, "x")
}

func gzipFile(t *testing.T, src, dst string) {
	t.Helper()
	in, err := os.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		t.Fatal(err)
	}
	z := gzip.NewWriter(out)
	if _, err := io.Copy(z, in); err != nil {
		t.Fatal(err)
	}
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}

func copyFile(t *testing.T, src, dst string) {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestOpenPancreas opens the pancreas data in every layout through Open and
// requires the counts of pancreas.h5ad, value for value.
func TestOpenPancreas(t *testing.T) {
	ref := testref.Load(t)
	base := testenv.Path(t, "data", "pancreas")
	tmp := t.TempDir()
	gzLoom := filepath.Join(tmp, "pancreas.loom.gz")
	gzipFile(t, filepath.Join(base, "pancreas.loom"), gzLoom)
	misnamed := filepath.Join(tmp, "pancreas.dat")
	copyFile(t, filepath.Join(base, "pancreas.loom"), misnamed)
	tests := []struct {
		path, kind string
		cell       func(string) string
	}{
		{filepath.Join(base, "pancreas.h5ad"), KindH5AD, testref.Identity},
		{filepath.Join(base, "pancreas.loom"), KindLoom, velocytoBarcode},
		{gzLoom, KindLoom, velocytoBarcode},
		{misnamed, KindLoom, velocytoBarcode},
		{filepath.Join(base, "starsolo"), KindSTARsolo, testref.Identity},
		{filepath.Join(base, "starsolo", "Solo.out", "Velocyto", "filtered"), KindSTARsolo, testref.Identity},
		{filepath.Join(base, "kb-lamanno"), KindKallisto, testref.Identity},
		{filepath.Join(base, "kb-lamanno", "counts_filtered"), KindKallisto, testref.Identity},
		{filepath.Join(base, "alevin-fry"), KindAlevinFry, testref.Identity},
		{filepath.Join(base, "alevin-fry", "alevin"), KindAlevinFry, testref.Identity},
	}
	for _, tc := range tests {
		t.Run(strings.TrimPrefix(tc.path, base), func(t *testing.T) {
			k, err := Kind(tc.path)
			if err != nil || k != tc.kind {
				t.Fatalf("Kind = %q, %v; want %q", k, err, tc.kind)
			}
			a, err := Open(tc.path, OpenOptions{})
			if err != nil {
				t.Fatal(err)
			}
			n := testref.Compare(t, ref, a, tc.cell)
			t.Logf("%s: %d values equal", k, n)
		})
	}
	entries, _ := os.ReadDir(os.TempDir())
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), "velo-") && strings.HasSuffix(e.Name(), ".loom") {
			t.Errorf("temporary copy %s left behind", e.Name())
		}
	}
}

func TestKindErrors(t *testing.T) {
	dir := t.TempDir()
	text := filepath.Join(dir, "notes.txt")
	fakeH5ad := filepath.Join(dir, "fake.h5ad")
	for _, p := range []string{text, fakeH5ad} {
		if err := os.WriteFile(p, []byte("hello"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	empty := filepath.Join(dir, "empty")
	if err := os.Mkdir(empty, 0o755); err != nil {
		t.Fatal(err)
	}
	const msg = ": not a recognised input (expected .h5ad, .loom, an AnnData zarr store, a STARsolo Velocyto directory, a kallisto|bustools counts directory or an alevin-fry output directory)"
	for _, p := range []string{text, empty} {
		_, err := Kind(p)
		if err == nil || err.Error() != p+msg {
			t.Errorf("Kind(%s) error %v", p, err)
		}
		if _, err := Open(p, OpenOptions{}); err == nil || err.Error() != p+msg {
			t.Errorf("Open(%s) error %v", p, err)
		}
	}
	if _, err := Kind(fakeH5ad); !errors.Is(err, hdf5.ErrNotHDF5) || !strings.Contains(err.Error(), fakeH5ad) {
		t.Errorf("Kind(fake.h5ad) error %v", err)
	}
	if _, err := Kind(filepath.Join(dir, "missing.h5ad")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}
