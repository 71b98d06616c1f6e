package mtx

import (
	"bytes"
	"testing"
)

// FuzzMTX checks that the parser never panics and that whatever it accepts
// is a valid CSR matrix of the declared shape.
func FuzzMTX(f *testing.F) {
	seeds := []string{
		"%%MatrixMarket matrix coordinate integer general\n2 3 3\n1 1 5\n2 3 7\n1 2 1\n",
		"%%MatrixMarket matrix coordinate real symmetric\n3 3 2\n1 1 0.5\n3 2 1e2\n",
		"%%MatrixMarket matrix coordinate integer general\n%\n3 2 2\n1 1 5 0 1\n3 2 0 2 0\n",
		"%%MatrixMarket matrix coordinate integer general\n2 2 3\n1 1 1\n1 1 2\n2 2 -1\n",
		"%%MatrixMarket matrix coordinate real general\n1 1 1\n1 1 nan\n",
		"%%MatrixMarket matrix array real general\n1 1\n1\n",
		"",
	}
	for _, s := range seeds {
		f.Add([]byte(s), false)
	}
	f.Fuzz(func(t *testing.T, data []byte, transpose bool) {
		h, err := DecodeHeader(bytes.NewReader(data), "fuzz.mtx")
		if err == nil && (h.Rows > 1<<16 || h.Cols > 1<<16) {
			// Valid but large declared shapes only cost memory for row
			// pointers; they say nothing about parsing.
			t.Skip()
		}
		for _, threads := range []int{1, 3} {
			file, err := Decode(bytes.NewReader(data), "fuzz.mtx", Options{Transpose: transpose, Threads: threads})
			if err != nil {
				if file != nil {
					t.Fatal("result and error both returned")
				}
				continue
			}
			rows, cols := file.Header.Rows, file.Header.Cols
			if transpose {
				rows, cols = cols, rows
			}
			if file.Header.Entries > 0 && len(file.Values) != file.Header.ValueColumns {
				t.Fatalf("%d matrices for %d value columns", len(file.Values), file.Header.ValueColumns)
			}
			for _, m := range file.Values {
				if m.Rows != rows || m.Cols != cols {
					t.Fatalf("shape %d×%d, header says %d×%d", m.Rows, m.Cols, rows, cols)
				}
				if err := m.Validate(); err != nil {
					t.Fatalf("invalid CSR: %v", err)
				}
				for _, v := range m.Data {
					if !(v > 0) {
						t.Fatalf("stored value %v is not a positive count", v)
					}
				}
			}
		}
	})
}
