package hdf5

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"
	"unsafe"
)

// compressedFixtures are files written by h5py (see
// format/h5ad/testdata/make_fixtures.py) with LZF, gzip+shuffle and
// libver="latest" chunk indexes.
var compressedFixtures = []string{"anndata_lzf.h5ad", "gzip_shuffle.h5ad", "latest.h5ad"}

func fixture(name string) string {
	return filepath.Join("..", "..", "format", "h5ad", "testdata", name)
}

// walk calls fn for every dataset below g.
func walk(t *testing.T, g *Group, fn func(d *Dataset)) {
	t.Helper()
	for _, name := range must[[]string](t)(g.Children()) {
		switch must[Kind](t)(g.Kind(name)) {
		case KindGroup:
			sub := must[*Group](t)(g.OpenGroup(name))
			walk(t, sub, fn)
			sub.Close()
		case KindDataset:
			d := must[*Dataset](t)(g.OpenDataset(name))
			fn(d)
			d.Close()
		}
	}
}

// velo's parallel chunk decoder must agree with libhdf5's own reader on
// every numeric dataset h5py wrote, whatever the filters and chunk index,
// inflating with libdeflate (where the system has it) or with zlib.
func TestDecoderMatchesLibrary(t *testing.T) {
	defer func() { fastInflate = true }()
	for _, fast := range []bool{true, false} {
		fastInflate = fast
		for _, name := range compressedFixtures {
			t.Run(fmt.Sprintf("%s/fast=%v", name, fast), func(t *testing.T) { decodeLikeLibrary(t, name) })
		}
	}
}

func decodeLikeLibrary(t *testing.T, name string) {
	decoded := 0
	walk(t, open(t, fixture(name)), func(d *Dataset) {
		k := d.Type().kind()
		if !d.Type().Numeric() || k == kindInvalid || d.Len() == 0 {
			return
		}
		nbytes := d.Len() * k.size()
		ours := make([]byte, nbytes)
		es := k.size()
		ok, err := d.readChunks(sink{direct: ours, put: func(at int, src []byte) { copy(ours[at*es:], src) }}, es)
		if err != nil {
			t.Fatalf("%s: %v", d.Path(), err)
		}
		if !ok {
			return
		}
		decoded++
		lib := make([]byte, nbytes)
		if err := d.readLibrary(unsafe.Pointer(&lib[0])); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(ours, lib) {
			t.Errorf("%s: parallel decoder and libhdf5 disagree", d.Path())
		}
	})
	if decoded == 0 {
		t.Error("no dataset went through the parallel decoder")
	}
}

func TestFixedLengthStringsAndReferences(t *testing.T) {
	root := open(t, fixture("legacy07.h5ad"))
	d := must[*Dataset](t)(root.OpenDataset("uns/fixed"))
	defer d.Close()
	if got := must[[]string](t)(d.ReadStrings()); !reflect.DeepEqual(got, []string{"ab", "cde"}) {
		t.Errorf("fixed-length strings = %q", got)
	}
	codes := must[*Dataset](t)(root.OpenDataset("obs/clusters"))
	defer codes.Close()
	if typ, _, _ := codes.AttrType("categories"); typ.Class != ClassReference {
		t.Errorf("categories attribute type = %v", typ)
	}
	if got := must[string](t)(codes.AttrRef("categories")); got != "/obs/__categories/clusters" {
		t.Errorf("reference points to %q", got)
	}
}

// captureStderr runs fn with file descriptor 2 redirected and returns what
// was written there, to prove libhdf5 prints nothing.
func captureStderr(t *testing.T, fn func()) string {
	t.Helper()
	tmp := must[*os.File](t)(os.CreateTemp(t.TempDir(), "stderr"))
	defer tmp.Close()
	saved := must[int](t)(syscall.Dup(2))
	if err := syscall.Dup3(int(tmp.Fd()), 2, 0); err != nil {
		t.Fatal(err)
	}
	fn()
	if err := syscall.Dup3(saved, 2, 0); err != nil {
		t.Fatal(err)
	}
	syscall.Close(saved)
	b := must[[]byte](t)(os.ReadFile(tmp.Name()))
	return string(b)
}

func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	text := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(text, []byte(strings.Repeat("not hdf5\n", 200)), 0o644); err != nil {
		t.Fatal(err)
	}
	full := must[[]byte](t)(os.ReadFile(fixture("gzip_shuffle.h5ad")))
	half := filepath.Join(dir, "half.h5")
	if err := os.WriteFile(half, full[:len(full)/2], 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		path string
		want error
	}{
		{text, ErrNotHDF5},
		{half, ErrTruncated},
	}
	printed := captureStderr(t, func() {
		for _, tt := range tests {
			_, err := Open(tt.path)
			if !errors.Is(err, tt.want) {
				t.Errorf("Open(%s) = %v, want %v", filepath.Base(tt.path), err, tt.want)
			}
			if err != nil && strings.Contains(err.Error(), "\n") {
				t.Errorf("error is not one line: %q", err)
			}
		}
		root := open(t, fixture("gzip_shuffle.h5ad"))
		if _, err := root.OpenDataset("missing"); err == nil {
			t.Error("opening a missing dataset succeeded")
		}
	})
	if printed != "" {
		t.Errorf("libhdf5 printed to stderr:\n%s", printed)
	}
}
