package hdf5

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"
)

// create makes a file in a fresh directory, hands its root to fill and
// closes everything.
func create(t *testing.T, fill func(root *Group)) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "t.h5")
	f, err := Create(path)
	if err != nil {
		t.Fatal(err)
	}
	root, err := f.Root()
	if err != nil {
		t.Fatal(err)
	}
	fill(root)
	root.Close()
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// open opens path and returns its root, closed at the end of the test.
func open(t *testing.T, path string) *Group {
	t.Helper()
	f, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	root, err := f.Root()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { root.Close() })
	return root
}

func must[T any](t *testing.T) func(v T, err error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

func ramp[T Number](n int) []T {
	out := make([]T, n)
	for i := range out {
		out[i] = T(i%97) - T(i%5) // negative for signed types, wraps for unsigned ones
	}
	return out
}

// roundTrip writes data with a layout and checks it reads back unchanged,
// both as T and converted to float64, through the parallel decoder and
// through libhdf5's own reader.
func roundTrip[T Number](t *testing.T, dims []int, l Layout) {
	n := 1
	for _, d := range dims {
		n *= d
	}
	data := ramp[T](n)
	path := create(t, func(root *Group) {
		must[*Dataset](t)(WriteNumeric(root, "x", data, dims, l)).Close()
	})
	d := must[*Dataset](t)(open(t, path).OpenDataset("x"))
	defer d.Close()
	if !reflect.DeepEqual(d.Shape(), dims) {
		t.Fatalf("shape %v, want %v", d.Shape(), dims)
	}
	got := must[[]T](t)(ReadNumeric[T](d))
	if !reflect.DeepEqual(got, data) {
		t.Fatalf("read back %v…, want %v…", got[:min(8, n)], data[:min(8, n)])
	}
	lib := make([]T, n)
	if n > 0 {
		if err := d.readLibrary(ptrOf(lib)); err != nil {
			t.Fatal(err)
		}
	}
	if !reflect.DeepEqual(lib, data) {
		t.Fatalf("libhdf5 reads %v…, want %v…", lib[:min(8, n)], data[:min(8, n)])
	}
	wide := must[[]float64](t)(ReadNumeric[float64](d))
	for i, v := range data {
		if wide[i] != float64(v) {
			t.Fatalf("as float64 element %d = %v, want %v", i, wide[i], v)
		}
	}
}

func TestNumericRoundTrip(t *testing.T) {
	layouts := []Layout{
		{},
		{Gzip: 4},
		{Gzip: 1, Shuffle: true},
		{Shuffle: true},
		{Gzip: 4, Shuffle: true, Chunk: []int{7}},
	}
	for _, l := range layouts {
		for _, dims := range [][]int{{0}, {1}, {1000}, {70000}} {
			if l.Chunk != nil {
				l.Chunk = l.Chunk[:1]
			}
			name := fmt.Sprintf("gzip=%d/shuffle=%v/chunk=%v/dims=%v", l.Gzip, l.Shuffle, l.Chunk, dims)
			t.Run("int8/"+name, func(t *testing.T) { roundTrip[int8](t, dims, l) })
			t.Run("uint16/"+name, func(t *testing.T) { roundTrip[uint16](t, dims, l) })
			t.Run("int32/"+name, func(t *testing.T) { roundTrip[int32](t, dims, l) })
			t.Run("int64/"+name, func(t *testing.T) { roundTrip[int64](t, dims, l) })
			t.Run("float32/"+name, func(t *testing.T) { roundTrip[float32](t, dims, l) })
			t.Run("float64/"+name, func(t *testing.T) { roundTrip[float64](t, dims, l) })
		}
	}
	// 2-D with edge chunks in both directions and chunks wider than rows.
	for _, c := range []struct{ dims, chunk []int }{
		{[]int{37, 23}, []int{8, 5}},
		{[]int{37, 23}, []int{8, 23}},
		{[]int{3, 100000}, nil},
		{[]int{300, 7}, nil},
	} {
		l := Layout{Gzip: 2, Shuffle: true, Chunk: c.chunk}
		name := fmt.Sprintf("dims=%v/chunk=%v", c.dims, c.chunk)
		t.Run("float32/"+name, func(t *testing.T) { roundTrip[float32](t, c.dims, l) })
		t.Run("int16/"+name, func(t *testing.T) { roundTrip[int16](t, c.dims, l) })
	}
}

func TestDefaultChunk(t *testing.T) {
	tests := []struct {
		dims []int
		size int
		want []int
	}{
		{[]int{10}, 4, []int{10}},
		{[]int{1 << 20}, 4, []int{chunkTarget / 4}},
		{[]int{3696, 1126}, 4, []int{chunkTarget / (1126 * 4), 1126}},
		{[]int{5, 1 << 20}, 4, []int{1, chunkTarget / 4}},
		{[]int{2, 3}, 8, []int{2, 3}},
	}
	for _, tt := range tests {
		if got := DefaultChunk(tt.dims, tt.size); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("DefaultChunk(%v, %d) = %v, want %v", tt.dims, tt.size, got, tt.want)
		}
	}
}

func TestScalarsStringsBools(t *testing.T) {
	words := []string{"Ductal", "", "Ngn3 high EP", "ünïcødé ✓", "a\tb"}
	path := create(t, func(root *Group) {
		must[*Dataset](t)(WriteScalar(root, "i", int64(-7))).Close()
		must[*Dataset](t)(WriteScalar(root, "f", 0.25)).Close()
		must[*Dataset](t)(root.WriteScalarString("s", "stochastic")).Close()
		must[*Dataset](t)(root.WriteScalarBool("b", true)).Close()
		must[*Dataset](t)(root.WriteStrings("words", words, Layout{Gzip: 4})).Close()
		must[*Dataset](t)(root.WriteStrings("none", nil, Layout{Gzip: 4})).Close()
		must[*Dataset](t)(root.WriteBools("flags", []bool{true, false, true}, Layout{Gzip: 4, Shuffle: true})).Close()
	})
	root := open(t, path)
	ds := func(name string) *Dataset {
		d := must[*Dataset](t)(root.OpenDataset(name))
		t.Cleanup(func() { d.Close() })
		return d
	}
	if d := ds("i"); !d.Scalar() || d.Len() != 1 || d.Type().Class != ClassInteger {
		t.Errorf("scalar int: scalar=%v len=%d type=%v", d.Scalar(), d.Len(), d.Type())
	}
	if v := must[[]int64](t)(ReadNumeric[int64](ds("i"))); !reflect.DeepEqual(v, []int64{-7}) {
		t.Errorf("scalar int = %v", v)
	}
	if v := must[[]float32](t)(ReadNumeric[float32](ds("f"))); !reflect.DeepEqual(v, []float32{0.25}) {
		t.Errorf("scalar float = %v", v)
	}
	if v := must[[]string](t)(ds("s").ReadStrings()); !reflect.DeepEqual(v, []string{"stochastic"}) {
		t.Errorf("scalar string = %v", v)
	}
	if d := ds("b"); d.Type().Class != ClassBool {
		t.Errorf("bool type = %v", d.Type())
	}
	if v := must[[]bool](t)(ReadBools(ds("b"))); !reflect.DeepEqual(v, []bool{true}) {
		t.Errorf("scalar bool = %v", v)
	}
	if v := must[[]string](t)(ds("words").ReadStrings()); !reflect.DeepEqual(v, words) {
		t.Errorf("strings = %q", v)
	}
	if v := must[[]string](t)(ds("none").ReadStrings()); len(v) != 0 {
		t.Errorf("empty strings = %q", v)
	}
	if v := must[[]bool](t)(ReadBools(ds("flags"))); !reflect.DeepEqual(v, []bool{true, false, true}) {
		t.Errorf("bools = %v", v)
	}
	if _, err := ReadNumeric[float32](ds("words")); err == nil {
		t.Error("reading strings as numbers succeeded")
	}
	if _, err := ds("i").ReadStrings(); err == nil {
		t.Error("reading numbers as strings succeeded")
	}
}

func TestAttributes(t *testing.T) {
	path := create(t, func(root *Group) {
		g := must[*Group](t)(root.CreateGroup("g"))
		defer g.Close()
		for _, err := range []error{
			g.SetAttrString("encoding-type", "csr_matrix"),
			g.SetAttrStrings("order", []string{"b", "a", "ü"}),
			g.SetAttrStrings("empty", nil),
			g.SetAttrInt64s("shape", []int64{3696, 2000}),
			g.SetAttrFloat64("pi", math.Pi),
			g.SetAttrBool("ordered", true),
			g.SetAttrString("encoding-type", "csc_matrix"), // replaces
		} {
			if err != nil {
				t.Fatal(err)
			}
		}
	})
	g := must[*Group](t)(open(t, path).OpenGroup("g"))
	defer g.Close()
	if s := must[string](t)(g.AttrString("encoding-type")); s != "csc_matrix" {
		t.Errorf("string attribute = %q", s)
	}
	if s := must[[]string](t)(g.AttrStrings("order")); !reflect.DeepEqual(s, []string{"b", "a", "ü"}) {
		t.Errorf("string array attribute = %q", s)
	}
	if typ, n, err := g.AttrType("empty"); err != nil || n != 0 || typ.Class != ClassString {
		t.Errorf("empty string array attribute: %v, %d elements, %v", typ, n, err)
	}
	if s := must[[]string](t)(g.AttrStrings("empty")); len(s) != 0 {
		t.Errorf("empty string array attribute = %q", s)
	}
	if v := must[[]int64](t)(g.AttrInt64s("shape")); !reflect.DeepEqual(v, []int64{3696, 2000}) {
		t.Errorf("int64 attribute = %v", v)
	}
	if v := must[[]float64](t)(g.AttrFloat64s("pi")); !reflect.DeepEqual(v, []float64{math.Pi}) {
		t.Errorf("float attribute = %v", v)
	}
	if b := must[bool](t)(g.AttrBool("ordered")); !b {
		t.Error("bool attribute read false")
	}
	if typ, _, _ := g.AttrType("ordered"); typ.Class != ClassBool {
		t.Errorf("bool attribute type = %v", typ)
	}
	if g.HasAttr("missing") {
		t.Error("HasAttr reports a missing attribute")
	}
	if _, err := g.AttrString("missing"); err == nil {
		t.Error("reading a missing attribute succeeded")
	}
	if _, err := g.AttrString("order"); err == nil {
		t.Error("reading a 3-string attribute as one string succeeded")
	}
}

func TestGroups(t *testing.T) {
	path := create(t, func(root *Group) {
		for _, name := range []string{"uns", "X", "layers", "obs"} {
			must[*Group](t)(root.CreateGroup(name)).Close()
		}
		l := must[*Group](t)(root.OpenGroup("layers"))
		must[*Dataset](t)(WriteNumeric(l, "Ms", []float32{1, 2}, nil, Layout{})).Close()
		l.Close()
	})
	root := open(t, path)
	if got := must[[]string](t)(root.Children()); !reflect.DeepEqual(got, []string{"X", "layers", "obs", "uns"}) {
		t.Errorf("children = %v, want byte order", got)
	}
	for _, c := range []struct {
		name string
		has  bool
		kind Kind
	}{{"layers", true, KindGroup}, {"layers/Ms", true, KindDataset}, {"layers/Mu", false, 0}, {"nope/x", false, 0}} {
		if got := root.Has(c.name); got != c.has {
			t.Errorf("Has(%q) = %v", c.name, got)
		}
		if !c.has {
			continue
		}
		if k := must[Kind](t)(root.Kind(c.name)); k != c.kind {
			t.Errorf("Kind(%q) = %v, want %v", c.name, k, c.kind)
		}
	}
	if _, err := root.OpenGroup("nope"); err == nil || err.Error() != "open group /nope: unable to open group: object 'nope' doesn't exist" {
		t.Errorf("opening a missing group: %v", err)
	}
}

// Writing the same content twice, with one core or several, gives the same
// bytes: objects carry no timestamps and chunks are written in order.
func TestWriteDeterministic(t *testing.T) {
	data := ramp[float32](200000)
	write := func(procs int) []byte {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		path := create(t, func(root *Group) {
			g := must[*Group](t)(root.CreateGroup("g"))
			defer g.Close()
			must[*Dataset](t)(WriteNumeric(g, "x", data, []int{400, 500}, Layout{Gzip: 1, Shuffle: true})).Close()
			must[*Dataset](t)(g.WriteStrings("s", []string{"a", "b"}, Layout{Gzip: 4})).Close()
			if err := g.SetAttrString("k", "v"); err != nil {
				t.Fatal(err)
			}
		})
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	first := write(1)
	for _, procs := range []int{1, 4} {
		if !bytes.Equal(write(procs), first) {
			t.Errorf("GOMAXPROCS=%d wrote different bytes", procs)
		}
	}
}

// The binding serialises libhdf5 calls; concurrent readers must each get
// their data intact.
func TestConcurrentReads(t *testing.T) {
	data := ramp[int32](100000)
	path := create(t, func(root *Group) {
		for i := 0; i < 4; i++ {
			must[*Dataset](t)(WriteNumeric(root, fmt.Sprint("x", i), data, nil, Layout{Gzip: 1, Shuffle: true, Chunk: []int{1000}})).Close()
		}
	})
	root := open(t, path)
	errs := make(chan error, 4)
	for i := 0; i < 4; i++ {
		go func() {
			d, err := root.OpenDataset(fmt.Sprint("x", i))
			if err != nil {
				errs <- err
				return
			}
			defer d.Close()
			got, err := ReadNumeric[int32](d)
			if err == nil && !reflect.DeepEqual(got, data) {
				err = fmt.Errorf("x%d differs", i)
			}
			errs <- err
		}()
	}
	for i := 0; i < 4; i++ {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}

// Dimensions no file of this size can back are refused instead of being
// allocated (corrupt files can claim anything).
func TestImplausibleSize(t *testing.T) {
	path := create(t, func(root *Group) {
		enter()
		id, err := createDataset(root, "huge", kindFloat32.native(), []int{1 << 40}, Layout{Gzip: 1}, 4)
		closeID(id)
		leave()
		if err != nil {
			t.Fatal(err)
		}
	})
	d := must[*Dataset](t)(open(t, path).OpenDataset("huge"))
	defer d.Close()
	if _, err := ReadNumeric[float32](d); err == nil || !strings.Contains(err.Error(), "/huge claims more elements than its file can hold") {
		t.Errorf("reading a 2⁴⁰-element dataset from a small file: %v", err)
	}
	for _, c := range []struct {
		dims []int
		want int
	}{{nil, 1}, {[]int{3, 4}, 12}, {[]int{0, 1 << 62}, 0}, {[]int{1 << 40, 1 << 40}, -1}} {
		if got := count(c.dims); got != c.want {
			t.Errorf("count(%v) = %d, want %d", c.dims, got, c.want)
		}
	}
}
