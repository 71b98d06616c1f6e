package zarr

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// writeArray writes an uncompressed array: its .zarray and chunk files.
func writeArray(t *testing.T, root, elem, meta string, chunks map[string][]byte) {
	t.Helper()
	dir := filepath.Join(root, elem)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, fileArray), []byte(meta), 0o644); err != nil {
		t.Fatal(err)
	}
	for k, b := range chunks {
		if err := os.WriteFile(filepath.Join(dir, k), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestArrayEncodings covers what the anndata fixtures do not: big-endian
// numbers, a missing chunk with a non-zero fill value, partial edge chunks
// of a 2-D array, and fixed-width strings.
func TestArrayEncodings(t *testing.T) {
	root := t.TempDir()
	writeArray(t, root, "be", `{"zarr_format":2,"shape":[5],"chunks":[2],"dtype":">i4","compressor":null,"fill_value":7,"filters":null,"order":"C"}`,
		map[string][]byte{
			"0": {0, 0, 0, 1, 0xff, 0xff, 0xff, 0xfe}, // 1, -2
			"2": {0, 0, 1, 0, 0, 0, 0, 0},             // 256, then past the end
		})
	writeArray(t, root, "grid", `{"zarr_format":2,"shape":[3,3],"chunks":[2,2],"dtype":"|u1","compressor":null,"fill_value":0,"filters":null,"order":"C"}`,
		map[string][]byte{"0.0": {1, 2, 4, 5}, "0.1": {3, 0, 6, 0}, "1.0": {7, 8, 0, 0}, "1.1": {9, 0, 0, 0}})
	writeArray(t, root, "u", `{"zarr_format":2,"shape":[2],"chunks":[2],"dtype":"<U2","compressor":null,"fill_value":"","filters":null,"order":"C"}`,
		map[string][]byte{"0": {'h', 0, 0, 0, 'i', 0, 0, 0, 0xe9, 0, 0, 0, 0, 0, 0, 0}})
	writeArray(t, root, "s", `{"zarr_format":2,"shape":[2],"chunks":[2],"dtype":"|S3","compressor":null,"fill_value":"","filters":null,"order":"C"}`,
		map[string][]byte{"0": []byte("abcd\x00\x00")})
	writeArray(t, root, "nan", `{"zarr_format":2,"shape":[2],"chunks":[1],"dtype":"<f4","compressor":null,"fill_value":"NaN","filters":null,"order":"C"}`,
		map[string][]byte{"1": {0, 0, 0x80, 0x3f}})
	s := store{root: root}
	read := func(elem string) *zarray {
		t.Helper()
		a, err := s.readArray(elem)
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	if got, want := read("be").int64s(), []int64{1, -2, 7, 7, 256}; !reflect.DeepEqual(got, want) {
		t.Errorf("be = %v, want %v", got, want)
	}
	if got, want := read("grid").int64s(), []int64{1, 2, 3, 4, 5, 6, 7, 8, 9}; !reflect.DeepEqual(got, want) {
		t.Errorf("grid = %v, want %v", got, want)
	}
	if got, want := read("u").strings(), []string{"hi", "é"}; !reflect.DeepEqual(got, want) {
		t.Errorf("u = %q, want %q", got, want)
	}
	if got, want := read("s").strings(), []string{"abc", "d"}; !reflect.DeepEqual(got, want) {
		t.Errorf("s = %q, want %q", got, want)
	}
	if got := read("nan").float64s(); got[0] == got[0] || got[1] != 1 {
		t.Errorf("nan = %v, want [NaN 1]", got)
	}
}
