package hdf5

import (
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
)

// Column blocks written in any order read back, whole or as any set of
// columns, as the matrix they came from.
func TestWriteBlockReadColumns(t *testing.T) {
	const rows, cols = 37, 23
	want := make([]float32, rows*cols)
	for i := range want {
		want[i] = float32(i) + 0.5
	}
	block := func(c0, w int) []float32 {
		out := make([]float32, 0, rows*w)
		for r := 0; r < rows; r++ {
			out = append(out, want[r*cols+c0:r*cols+c0+w]...)
		}
		return out
	}
	starts := []int{0, 4, 9, 10, 16, 22} // blocks of uneven widths across chunk boundaries
	order := rand.New(rand.NewPCG(3, 4)).Perm(len(starts))
	path := create(t, func(root *Group) {
		d := must[*Dataset](t)(CreateNumeric[float32](root, "m", []int{rows, cols}, Layout{Chunk: []int{8, 5}}))
		defer d.Close()
		for _, i := range order {
			end := cols
			if i+1 < len(starts) {
				end = starts[i+1]
			}
			if err := WriteBlock(d, []int{0, starts[i]}, []int{rows, end - starts[i]}, block(starts[i], end-starts[i])); err != nil {
				t.Fatal(err)
			}
		}
	})
	d := must[*Dataset](t)(open(t, path).OpenDataset("m"))
	defer d.Close()
	if got := must[[]float32](t)(ReadNumeric[float32](d)); !reflect.DeepEqual(got, want) {
		t.Fatal("whole read differs from the written blocks")
	}
	for _, sel := range [][]int{{}, {0}, {22}, {3, 4, 5, 6, 7}, {0, 2, 3, 11, 20, 21, 22}} {
		got := make([]float32, rows*len(sel))
		if err := ReadColumns(d, sel, got); err != nil {
			t.Fatal(err)
		}
		for r := 0; r < rows; r++ {
			for k, c := range sel {
				if got[r*len(sel)+k] != want[r*cols+c] {
					t.Fatalf("columns %v: row %d column %d = %v, want %v", sel, r, c, got[r*len(sel)+k], want[r*cols+c])
				}
			}
		}
	}
	// Row ranges starting and ending inside chunks (8 rows high).
	sel := []int{1, 5, 6, 17}
	for _, rr := range [][2]int{{0, rows}, {3, 4}, {5, 21}, {8, 16}, {30, 37}, {9, 9}} {
		got := make([]float32, (rr[1]-rr[0])*len(sel))
		if err := ReadRowColumns(d, rr[0], rr[1], sel, got); err != nil {
			t.Fatal(err)
		}
		for r := rr[0]; r < rr[1]; r++ {
			for k, c := range sel {
				if v := got[(r-rr[0])*len(sel)+k]; v != want[r*cols+c] {
					t.Fatalf("rows %v: row %d column %d = %v, want %v", rr, r, c, v, want[r*cols+c])
				}
			}
		}
	}
	for _, rr := range [][2]int{{-1, 3}, {4, 3}, {30, 38}} {
		if err := ReadRowColumns(d, rr[0], rr[1], sel, []float32(nil)); err == nil || !strings.Contains(err.Error(), "outside") {
			t.Errorf("ReadRowColumns(rows %v) error = %v", rr, err)
		}
	}
	for _, sel := range [][]int{{3, 3}, {5, 4}, {-1}, {23}} {
		err := ReadColumns(d, sel, make([]float32, rows*len(sel)))
		if err == nil || !strings.Contains(err.Error(), "/m: columns must be increasing") {
			t.Errorf("ReadColumns(%v) error = %v", sel, err)
		}
	}
	if err := WriteBlock(d, []int{30, 0}, []int{8, 1}, make([]float32, 8)); err == nil || !strings.Contains(err.Error(), "outside") {
		t.Errorf("WriteBlock outside the dataset: error = %v", err)
	}
}

// Reads that convert (int64 on disk into int32 or float32) or that need many
// chunk batches or slabs give exactly Go's conversions of every element,
// whatever the storage layout.
func TestReadNumericBatchesAndConversions(t *testing.T) {
	defer func(b, s int) { chunkBatch, slabBytes = b, s }(chunkBatch, slabBytes)
	chunkBatch, slabBytes = 100, 64 // a few chunks per batch, a few rows per slab
	const rows, cols = 50, 7
	data := make([]int64, rows*cols)
	r := rand.New(rand.NewPCG(5, 6))
	for i := range data {
		data[i] = r.Int64N(1<<40) - 1<<39 // wraps when narrowed to int32
	}
	layouts := map[string]Layout{
		"contiguous":  {},
		"chunked":     {Chunk: []int{6, 3}},
		"gzip":        {Gzip: 1, Shuffle: true, Chunk: []int{6, 3}},
		"gzip 1 row":  {Gzip: 1, Chunk: []int{1, 7}},
		"one chunk":   {Chunk: []int{rows, cols}},
		"partial col": {Chunk: []int{rows, 4}},
	}
	for name, l := range layouts {
		t.Run(name, func(t *testing.T) {
			path := create(t, func(root *Group) {
				must[*Dataset](t)(WriteNumeric(root, "m", data, []int{rows, cols}, l)).Close()
				must[*Dataset](t)(WriteNumeric(root, "v", data, nil, l1D(l))).Close()
			})
			root := open(t, path)
			for _, name := range []string{"m", "v"} {
				d := must[*Dataset](t)(root.OpenDataset(name))
				same(t, name+" int64", must[[]int64](t)(ReadNumeric[int64](d)), data)
				same(t, name+" int32", must[[]int32](t)(ReadNumeric[int32](d)), conv[int32](data))
				same(t, name+" float32", must[[]float32](t)(ReadNumeric[float32](d)), conv[float32](data))
				d.Close()
			}
		})
	}
}

// l1D adapts a 2-D layout to a 1-D array.
func l1D(l Layout) Layout {
	if l.Chunk != nil {
		l.Chunk = []int{l.Chunk[0] * l.Chunk[1]}
	}
	return l
}

func conv[T Number](v []int64) []T {
	out := make([]T, len(v))
	for i, x := range v {
		out[i] = T(x)
	}
	return out
}

func same[T comparable](t *testing.T, what string, got, want []T) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("%s[%d] = %v, want %v", what, i, got[i], want[i])
		}
	}
}

// EqualNumeric recognises a dataset holding exactly a slice's values,
// whatever the layout and the stored type, and tells any difference.
func TestEqualNumeric(t *testing.T) {
	defer func(b, s int) { chunkBatch, slabBytes = b, s }(chunkBatch, slabBytes)
	chunkBatch, slabBytes = 100, 64
	data := make([]int32, 1000)
	for i := range data {
		data[i] = int32(i * 7 % 113)
	}
	wide := make([]int64, len(data)) // the same values stored as int64
	for i, v := range data {
		wide[i] = int64(v)
	}
	for name, l := range map[string]Layout{"contiguous": {}, "gzip": {Gzip: 1, Shuffle: true, Chunk: []int{64}}} {
		t.Run(name, func(t *testing.T) {
			path := create(t, func(root *Group) {
				must[*Dataset](t)(WriteNumeric(root, "narrow", data, nil, l)).Close()
				must[*Dataset](t)(WriteNumeric(root, "wide", wide, nil, l)).Close()
			})
			root := open(t, path)
			for _, name := range []string{"narrow", "wide"} {
				d := must[*Dataset](t)(root.OpenDataset(name))
				other := append([]int32(nil), data...)
				other[len(other)-1]++
				for _, tt := range []struct {
					what string
					v    []int32
					want bool
				}{{"same", data, true}, {"last differs", other, false}, {"shorter", data[1:], false}} {
					if got := must[bool](t)(EqualNumeric(d, tt.v)); got != tt.want {
						t.Errorf("%s, %s: EqualNumeric = %v, want %v", name, tt.what, got, tt.want)
					}
				}
				d.Close()
			}
		})
	}
}

// ReadIndices narrows any integer width to int32 and reports the first
// value outside the range instead of wrapping it into range.
func TestReadIndices(t *testing.T) {
	defer func(b, s int) { chunkBatch, slabBytes = b, s }(chunkBatch, slabBytes)
	chunkBatch, slabBytes = 100, 64
	good := make([]int64, 500)
	for i := range good {
		good[i] = int64(i % 10)
	}
	bad := append([]int64(nil), good...)
	bad[77], bad[300] = 1<<32+3, -1
	for name, l := range map[string]Layout{"contiguous": {}, "gzip": {Gzip: 1, Shuffle: true, Chunk: []int{64}}} {
		t.Run(name, func(t *testing.T) {
			path := create(t, func(root *Group) {
				must[*Dataset](t)(WriteNumeric(root, "good", good, nil, l)).Close()
				must[*Dataset](t)(WriteNumeric(root, "bad", bad, nil, l)).Close()
				must[*Dataset](t)(WriteNumeric(root, "unsigned", conv[uint16](good), nil, l)).Close()
			})
			root := open(t, path)
			for _, name := range []string{"good", "unsigned"} {
				d := must[*Dataset](t)(root.OpenDataset(name))
				same(t, name, must[[]int32](t)(ReadIndices(d, 10)), conv[int32](good))
				d.Close()
			}
			d := must[*Dataset](t)(root.OpenDataset("bad"))
			defer d.Close()
			_, err := ReadIndices(d, 10)
			if err == nil || err.Error() != "/bad[77] = 4294967299 is outside [0, 10)" {
				t.Errorf("error = %v", err)
			}
		})
	}
}

// A hard link reads as an ordinary dataset with the target's values, and a
// link to a missing object fails naming both ends.
func TestLink(t *testing.T) {
	var linkErr error
	path := create(t, func(root *Group) {
		must[*Dataset](t)(WriteNumeric(root, "a", []int32{4, 5, 6}, nil, Layout{})).Close()
		g := must[*Group](t)(root.CreateGroup("g"))
		defer g.Close()
		if err := g.Link("b", "/a"); err != nil {
			t.Fatal(err)
		}
		linkErr = g.Link("c", "/missing")
	})
	if linkErr == nil || !strings.HasPrefix(linkErr.Error(), "link /g/c to /missing: ") {
		t.Errorf("link to a missing object: %v", linkErr)
	}
	d := must[*Dataset](t)(open(t, path).OpenDataset("g/b"))
	defer d.Close()
	same(t, "g/b", must[[]int32](t)(ReadNumeric[int32](d)), []int32{4, 5, 6})
}
