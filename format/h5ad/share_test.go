package h5ad

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/velo-rna/velo/anndata"
	"github.com/velo-rna/velo/array"
)

// A sparse layer with exactly X's structure shares X's indices and
// pointers after a read, whether they are stored plain or compressed, and
// a write stores shared ones once; a layer with the same row lengths but
// other columns shares nothing.
func TestReadSharesStructure(t *testing.T) {
	a := anndata.New([]string{"c0", "c1", "c2"}, []string{"g0", "g1", "g2"})
	a.X = csrOf([][]float32{{1, 0, 2}, {0, 3, 0}, {0, 0, 0}})
	a.Layers["spliced"] = csrOf([][]float32{{5, 0, 6}, {0, 7, 0}, {0, 0, 0}})
	a.Layers["unspliced"] = csrOf([][]float32{{1, 1, 0}, {0, 0, 3}, {0, 0, 0}})
	a.Layers["Ms"] = denseOf([][]float32{{1, 0, 2}, {0, 3, 0}, {0, 0, 0}})
	for _, opt := range []WriteOptions{{}, {IntGzip: 1}} {
		t.Run(fmt.Sprintf("int gzip %d", opt.IntGzip), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "out.h5ad")
			if err := WriteWith(path, a, opt); err != nil {
				t.Fatal(err)
			}
			got, err := Read(path)
			if err != nil {
				t.Fatal(err)
			}
			sameAnnData(t, got, a)
			x := got.X.(*array.CSR)
			s, u := got.Layers["spliced"].(*array.CSR), got.Layers["unspliced"].(*array.CSR)
			if &s.Indices[0] != &x.Indices[0] || &s.Indptr[0] != &x.Indptr[0] {
				t.Error("spliced does not share X's indices and pointers")
			}
			if &u.Indices[0] == &x.Indices[0] || &u.Indptr[0] == &x.Indptr[0] {
				t.Error("unspliced shares X's arrays although its columns differ")
			}
			// Written again, the shared structure is stored once (as hard
			// links), which makes the file smaller than with a copy, and
			// reads back shared.
			again, copied := filepath.Join(t.TempDir(), "again.h5ad"), filepath.Join(t.TempDir(), "copied.h5ad")
			if err := WriteWith(again, got, opt); err != nil {
				t.Fatal(err)
			}
			got.Layers["spliced"] = s.Clone()
			if err := WriteWith(copied, got, opt); err != nil {
				t.Fatal(err)
			}
			if a, c := fileSize(t, again), fileSize(t, copied); a >= c {
				t.Errorf("file with the shared structure has %d bytes, with a copy %d", a, c)
			}
			back, err := Read(again)
			if err != nil {
				t.Fatal(err)
			}
			sameAnnData(t, back, a)
			if bs, bx := back.Layers["spliced"].(*array.CSR), back.X.(*array.CSR); &bs.Indices[0] != &bx.Indices[0] {
				t.Error("linked structure does not read back shared")
			}
		})
	}
}

func fileSize(t *testing.T, path string) int64 {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}
