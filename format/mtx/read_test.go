package mtx

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/velo-rna/velo/array"
)

// dense returns m as rows of float32 for readable comparisons.
func dense(m *array.CSR) [][]float32 {
	d := m.ToDense()
	out := make([][]float32, d.Rows)
	for i := range out {
		out[i] = append([]float32(nil), d.Row(i)...)
	}
	return out
}

func equalDense(a, b [][]float32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if len(a[i]) != len(b[i]) {
			return false
		}
		for j := range a[i] {
			if a[i][j] != b[i][j] {
				return false
			}
		}
	}
	return true
}

func decodeString(t *testing.T, text string, opts Options) (*File, error) {
	t.Helper()
	return Decode(strings.NewReader(text), "m.mtx", opts)
}

func TestDecodeValues(t *testing.T) {
	tests := []struct {
		name string
		text string
		opts Options
		want [][][]float32 // per value column
	}{
		{
			name: "integer general",
			text: "%%MatrixMarket matrix coordinate integer general\n% comment\n2 3 3\n1 1 5\n2 3 7\n1 2 1\n",
			want: [][][]float32{{{5, 1, 0}, {0, 0, 7}}},
		},
		{
			name: "transpose",
			text: "%%MatrixMarket matrix coordinate integer general\n2 3 3\n1 1 5\n2 3 7\n1 2 1\n",
			opts: Options{Transpose: true},
			want: [][][]float32{{{5, 0}, {1, 0}, {0, 7}}},
		},
		{
			name: "banner case, CRLF, tabs, no final newline",
			text: "%%matrixmarket MATRIX Coordinate Integer GENERAL\r\n2 2 2\r\n1\t1\t3\r\n  2 2 4",
			want: [][][]float32{{{3, 0}, {0, 4}}},
		},
		{
			name: "real values in several spellings",
			text: "%%MatrixMarket matrix coordinate real general\n1 6 6\n1 1 0.5\n1 2 1e-3\n1 3 2.5E2\n1 4 .25\n1 5 +3\n1 6 7.\n",
			want: [][][]float32{{{0.5, 0.001, 250, 0.25, 3, 7}}},
		},
		{
			name: "double is real",
			text: "%%MatrixMarket matrix coordinate double general\n1 1 1\n1 1 1.5\n",
			want: [][][]float32{{{1.5}}},
		},
		{
			name: "integer field accepts integral decimals",
			text: "%%MatrixMarket matrix coordinate integer general\n1 1 1\n1 1 2.0\n",
			want: [][][]float32{{{2}}},
		},
		{
			name: "symmetric mirrors off-diagonal entries",
			text: "%%MatrixMarket matrix coordinate integer symmetric\n3 3 3\n1 1 1\n3 1 2\n3 2 4\n",
			want: [][][]float32{{{1, 0, 2}, {0, 0, 4}, {2, 4, 0}}},
		},
		{
			name: "duplicates are summed, unsorted rows sorted",
			text: "%%MatrixMarket matrix coordinate integer general\n2 3 5\n1 3 1\n1 1 2\n1 3 4\n2 2 1\n2 2 1\n",
			want: [][][]float32{{{2, 0, 5}, {0, 2, 0}}},
		},
		{
			name: "three value columns (STAR < 2.7.9a Velocyto matrix.mtx)",
			text: "%%MatrixMarket matrix coordinate integer general\n%\n3 2 3\n1 1 5 0 1\n3 1 0 2 0\n2 2 1 1 1\n",
			opts: Options{Transpose: true},
			want: [][][]float32{
				{{5, 0, 0}, {0, 1, 0}},
				{{0, 0, 2}, {0, 1, 0}},
				{{1, 0, 0}, {0, 1, 0}},
			},
		},
		{
			name: "blank and comment lines among entries",
			text: "%%MatrixMarket matrix coordinate integer general\n\n2 2 2\n\n1 1 1\n% note\n\n2 2 2\n\n",
			want: [][][]float32{{{1, 0}, {0, 2}}},
		},
		{
			name: "explicit zero is not stored",
			text: "%%MatrixMarket matrix coordinate integer general\n1 2 2\n1 1 0\n1 2 3\n",
			want: [][][]float32{{{0, 3}}},
		},
		{
			name: "empty matrix",
			text: "%%MatrixMarket matrix coordinate integer general\n3 4 0\n",
			want: [][][]float32{{{0, 0, 0, 0}, {0, 0, 0, 0}, {0, 0, 0, 0}}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, err := decodeString(t, tc.text, tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			if len(f.Values) != len(tc.want) {
				t.Fatalf("%d value columns, want %d", len(f.Values), len(tc.want))
			}
			for k, m := range f.Values {
				if err := m.Validate(); err != nil {
					t.Fatalf("column %d: invalid CSR: %v", k, err)
				}
				if got := dense(m); !equalDense(got, tc.want[k]) {
					t.Errorf("column %d = %v, want %v", k, got, tc.want[k])
				}
				for _, v := range m.Data {
					if v == 0 {
						t.Errorf("column %d stores an explicit zero", k)
					}
				}
			}
		})
	}
}

func TestDecodeErrors(t *testing.T) {
	const ok = "%%MatrixMarket matrix coordinate integer general\n"
	tests := []struct {
		name string
		text string
		want string // substring; every message must also name the file
	}{
		{"empty file", "", "m.mtx: empty file"},
		{"no banner", "2 2 1\n1 1 1\n", "m.mtx:1: missing %%MatrixMarket banner"},
		{"array format", "%%MatrixMarket matrix array real general\n2 2\n", "m.mtx:1: format \"array\" is not supported"},
		{"pattern field", "%%MatrixMarket matrix coordinate pattern general\n2 2 1\n1 1\n", "m.mtx:1: field \"pattern\""},
		{"complex field", "%%MatrixMarket matrix coordinate complex general\n", "field \"complex\""},
		{"skew symmetry", "%%MatrixMarket matrix coordinate real skew-symmetric\n", "symmetry \"skew-symmetric\""},
		{"short banner", "%%MatrixMarket matrix coordinate\n", "m.mtx:1: banner has 3 words"},
		{"no size line", ok + "% only comments\n", "m.mtx:2: file ends before the size line"},
		{"size line with two numbers", ok + "2 2\n", "m.mtx:2: size line \"2 2\" has 2 numbers"},
		{"size line not a number", ok + "2 x 1\n", "m.mtx:2: size line \"2 x 1\": \"x\""},
		{"negative size", ok + "-2 2 1\n", "m.mtx:2: size line"},
		{"huge dims", ok + "3000000000 2 0\n", "larger than the 2147483647 supported"},
		{"symmetric not square", "%%MatrixMarket matrix coordinate integer symmetric\n2 3 0\n", "must be square"},
		{"truncated", ok + "2 2 3\n1 1 1\n2 2 1\n", "m.mtx:4: file ends after 2 of the 3 entries the size line declares (truncated?)"},
		{"truncated mid-line", ok + "2 2 2\n1 1 1\n2 2", "m.mtx:4: entry \"2 2\" has 2 fields, want 3"},
		{"too many entries", ok + "2 2 1\n1 1 1\n2 2 1\n", "m.mtx:4: more entries than the 1 the size line declares"},
		{"too many entries after comments", ok + "2 2 1\n1 1 1\n%c\n\n2 2 1\n", "m.mtx:6: more entries"},
		{"row index zero", ok + "2 2 1\n0 1 1\n", "m.mtx:3: row index 0 is outside 1..2 (MatrixMarket indices start at 1)"},
		{"row out of range", ok + "2 2 1\n3 1 1\n", "m.mtx:3: row index 3 is outside 1..2"},
		{"column out of range", ok + "2 5 2\n1 1 1\n1 6 1\n", "m.mtx:4: column index 6 is outside 1..5"},
		{"index not a number", ok + "2 2 1\n1 b 1\n", "m.mtx:3: column index \"b\" is not a positive integer"},
		{"negative index", ok + "2 2 1\n-1 1 1\n", "m.mtx:3: row index \"-1\""},
		{"huge index", ok + "2 2 1\n99999999999 1 1\n", "m.mtx:3: row index 99999999999 is outside 1..2"},
		{"negative count", ok + "2 2 1\n1 1 -4\n", "m.mtx:3: value -4 is negative"},
		{"NaN", "%%MatrixMarket matrix coordinate real general\n2 2 1\n1 1 nan\n", "m.mtx:3: value \"nan\" is NaN"},
		{"infinity", "%%MatrixMarket matrix coordinate real general\n2 2 1\n1 1 inf\n", "m.mtx:3: value inf does not fit in float32"},
		{"beyond float32", "%%MatrixMarket matrix coordinate real general\n2 2 1\n1 1 1e39\n", "does not fit in float32"},
		{"not a number", "%%MatrixMarket matrix coordinate real general\n2 2 1\n1 1 abc\n", "m.mtx:3: value \"abc\" is not a number"},
		{"fraction in integer field", ok + "2 2 1\n1 1 1.5\n", "m.mtx:3: value 1.5 is not an integer"},
		{"extra field", ok + "2 2 2\n1 1 1\n2 2 1 1\n", "m.mtx:4: entry \"2 2 1 1\" has more than 3 fields"},
		{"inconsistent value columns", ok + "2 2 2\n1 1 1 2 3\n2 2 1\n", "m.mtx:4: entry \"2 2 1\" has 3 fields, want 5"},
		{"entries in empty matrix", ok + "0 0 1\n", "declares 1 entries in an empty 0×0 matrix"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := decodeString(t, tc.text, Options{})
			if err == nil {
				t.Fatalf("no error, want %q", tc.want)
			}
			if !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "m.mtx") {
				t.Errorf("error %q, want it to contain %q and start with the file name", err, tc.want)
			}
		})
	}
}

func gzipBytes(t testing.TB, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	if _, err := w.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestReadGzip(t *testing.T) {
	text := []byte("%%MatrixMarket matrix coordinate integer general\n2 2 2\n1 2 3\n2 1 4\n")
	dir := t.TempDir()
	gz := gzipBytes(t, text)
	// Compression is found by content: a misnamed file reads as well.
	for _, name := range []string{"a.mtx.gz", "a.mtx"} {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, gz, 0o644); err != nil {
			t.Fatal(err)
		}
		m, err := ReadMatrix(p, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := dense(m), [][]float32{{0, 3}, {4, 0}}; !equalDense(got, want) {
			t.Errorf("%s: got %v, want %v", name, got, want)
		}
		h, err := ReadHeader(p)
		if err != nil {
			t.Fatal(err)
		}
		if h != (Header{Field: "integer", Symmetry: "general", Rows: 2, Cols: 2, Entries: 2, ValueColumns: 1}) {
			t.Errorf("header %+v", h)
		}
	}
}

func TestReadTruncatedGzip(t *testing.T) {
	big := generate(rand.New(rand.NewPCG(3, 4)), 2000, 300, 40000, false)
	gz := gzipBytes(t, big)
	p := filepath.Join(t.TempDir(), "cut.mtx.gz")
	if err := os.WriteFile(p, gz[:len(gz)/2], 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Read(p, Options{})
	if err == nil || !strings.Contains(err.Error(), p) || !strings.Contains(err.Error(), "truncated") {
		t.Fatalf("error %v, want one naming %s and saying truncated", err, p)
	}
	if !strings.Contains(err.Error(), "after line") {
		t.Errorf("error %v does not give the line", err)
	}
}

func TestReadMatrixRejectsSeveralColumns(t *testing.T) {
	p := filepath.Join(t.TempDir(), "m.mtx")
	text := "%%MatrixMarket matrix coordinate integer general\n1 1 1\n1 1 1 2 3\n"
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadMatrix(p, Options{}); err == nil || !strings.Contains(err.Error(), "3 value columns, want 1") {
		t.Fatalf("error %v", err)
	}
}

// generate writes a random general integer matrix with nnz entry lines in
// random order, with duplicated coordinates when dups is set.
func generate(rng *rand.Rand, rows, cols, nnz int, dups bool) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "%%%%MatrixMarket matrix coordinate integer general\n%%\n%d %d %d\n", rows, cols, nnz)
	seen := map[[2]int]bool{}
	for k := 0; k < nnz; k++ {
		var i, j int
		for {
			i, j = rng.IntN(rows)+1, rng.IntN(cols)+1
			if dups || !seen[[2]int{i, j}] {
				break
			}
		}
		seen[[2]int{i, j}] = true
		fmt.Fprintf(&b, "%d %d %d\n", i, j, rng.IntN(50)+1)
	}
	return b.Bytes()
}

// naive parses the same text with strings.Fields and a map: an independent
// check of the block parser, the counting sort and the duplicate summing.
func naive(t *testing.T, text []byte, transpose bool) map[[2]int]float64 {
	t.Helper()
	out := map[[2]int]float64{}
	lines := strings.Split(string(text), "\n")
	for _, l := range lines[3:] {
		f := strings.Fields(l)
		if len(f) == 0 {
			continue
		}
		var i, j int
		var v float64
		fmt.Sscan(f[0], &i)
		fmt.Sscan(f[1], &j)
		fmt.Sscan(f[2], &v)
		if transpose {
			i, j = j, i
		}
		out[[2]int{i - 1, j - 1}] += v
	}
	return out
}

func TestMultiBlockMatchesNaive(t *testing.T) {
	// About 3 MB of text: several blocks, so block cuts, ordered merging
	// and cross-block duplicates are exercised.
	text := generate(rand.New(rand.NewPCG(1, 2)), 500, 400, 350000, true)
	if len(text) < 3*blockSize {
		t.Fatalf("test text is %d bytes, want several blocks", len(text))
	}
	for _, transpose := range []bool{false, true} {
		want := naive(t, text, transpose)
		var first *array.CSR
		for _, threads := range []int{1, 4} {
			f, err := Decode(bytes.NewReader(text), "gen.mtx", Options{Transpose: transpose, Threads: threads})
			if err != nil {
				t.Fatal(err)
			}
			m := f.Values[0]
			if err := m.Validate(); err != nil {
				t.Fatal(err)
			}
			if m.NNZ() != len(want) {
				t.Fatalf("transpose=%v threads=%d: %d stored, want %d", transpose, threads, m.NNZ(), len(want))
			}
			for i := 0; i < m.Rows; i++ {
				idx, val := m.RowView(i)
				for k, j := range idx {
					if w := want[[2]int{i, int(j)}]; float64(val[k]) != w {
						t.Fatalf("(%d,%d) = %v, want %v", i, j, val[k], w)
					}
				}
			}
			if first == nil {
				first = m
			} else if !sameCSR(first, m) {
				t.Errorf("transpose=%v: 1 and 4 threads differ", transpose)
			}
		}
	}
}

func sameCSR(a, b *array.CSR) bool {
	if a.Rows != b.Rows || a.Cols != b.Cols || len(a.Data) != len(b.Data) {
		return false
	}
	for i := range a.Indptr {
		if a.Indptr[i] != b.Indptr[i] {
			return false
		}
	}
	for k := range a.Data {
		if a.Indices[k] != b.Indices[k] || a.Data[k] != b.Data[k] {
			return false
		}
	}
	return true
}

func TestErrorLineInLaterBlock(t *testing.T) {
	text := generate(rand.New(rand.NewPCG(5, 6)), 300, 300, 200000, true)
	lines := bytes.Split(text, []byte("\n"))
	const bad = 150000 // 1-based line number of the corrupted entry
	lines[bad-1] = []byte("12 -7 3")
	lines[bad+10] = []byte("1 1 nan") // a later error must not win
	text = bytes.Join(lines, []byte("\n"))
	for _, threads := range []int{1, 4} {
		_, err := Decode(bytes.NewReader(text), "gen.mtx", Options{Threads: threads})
		want := fmt.Sprintf("gen.mtx:%d: column index \"-7\"", bad)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("threads=%d: error %v, want %q", threads, err, want)
		}
	}
}
