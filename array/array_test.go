package array

import (
	"reflect"
	"slices"
	"testing"
)

// m is the 3×4 matrix
//
//	[1 0 2 0]
//	[0 0 0 0]
//	[0 3 0 4]
func sample() *Dense {
	return &Dense{Rows: 3, Cols: 4, Data: []float32{1, 0, 2, 0, 0, 0, 0, 0, 0, 3, 0, 4}}
}

func TestCSRRoundTrip(t *testing.T) {
	d := sample()
	c := d.ToCSR()
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if c.NNZ() != 4 || !reflect.DeepEqual(c.Indptr, []int64{0, 2, 2, 4}) {
		t.Fatalf("unexpected structure %+v", c)
	}
	if !reflect.DeepEqual(c.ToDense(), d) {
		t.Fatal("dense → CSR → dense changed the matrix")
	}
	if c.At(2, 3) != 4 || c.At(1, 1) != 0 || c.At(0, 2) != 2 {
		t.Fatal("At returns wrong values")
	}
}

func TestTransposeAndSelect(t *testing.T) {
	d := sample()
	c := d.ToCSR()
	tr := c.Transpose()
	if err := tr.Validate(); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < d.Rows; i++ {
		for j := 0; j < d.Cols; j++ {
			if tr.At(j, i) != d.At(i, j) {
				t.Fatalf("transpose differs at (%d,%d)", i, j)
			}
		}
	}
	cols := []int{1, 3}
	if !reflect.DeepEqual(c.SelectCols(cols).ToDense(), d.SelectCols(cols)) {
		t.Fatal("sparse and dense SelectCols disagree")
	}
	rows := []int{2, 0}
	if !reflect.DeepEqual(c.SelectRows(rows).ToDense(), d.SelectRows(rows)) {
		t.Fatal("sparse and dense SelectRows disagree")
	}
	if got := c.RowSums(); !reflect.DeepEqual(got, []float64{3, 0, 7}) {
		t.Fatalf("row sums %v", got)
	}
}

func TestValidateRejectsBrokenStructure(t *testing.T) {
	cases := map[string]*CSR{
		"short indptr":   {Rows: 2, Cols: 2, Indptr: []int64{0, 1}, Indices: []int32{0}, Data: []float32{1}},
		"out of range":   {Rows: 1, Cols: 2, Indptr: []int64{0, 1}, Indices: []int32{2}, Data: []float32{1}},
		"unsorted":       {Rows: 1, Cols: 3, Indptr: []int64{0, 2}, Indices: []int32{2, 1}, Data: []float32{1, 1}},
		"repeated":       {Rows: 1, Cols: 3, Indptr: []int64{0, 2}, Indices: []int32{1, 1}, Data: []float32{1, 1}},
		"decreasing ptr": {Rows: 2, Cols: 3, Indptr: []int64{0, 2, 1}, Indices: []int32{0, 1}, Data: []float32{1, 1}},
	}
	for name, m := range cases {
		if m.Validate() == nil {
			t.Errorf("%s: Validate accepted it", name)
		}
	}
}

func TestSortIndices(t *testing.T) {
	m := &CSR{Rows: 1, Cols: 4, Indptr: []int64{0, 3}, Indices: []int32{3, 0, 2}, Data: []float32{30, 0.5, 20}}
	m.SortIndices()
	if !reflect.DeepEqual(m.Indices, []int32{0, 2, 3}) || !reflect.DeepEqual(m.Data, []float32{0.5, 20, 30}) {
		t.Fatalf("sorted row %v %v", m.Indices, m.Data)
	}
}

func TestColumnRange(t *testing.T) {
	d := NewDense(5, 7)
	for i := 0; i < 5; i++ {
		for j := 0; j < 7; j++ {
			if (i*7+j)%3 != 0 {
				d.Set(i, j, float32(i*10+j))
			}
		}
	}
	m := d.ToCSR()
	for _, r := range [][2]int{{0, 7}, {0, 0}, {2, 5}, {6, 7}, {3, 3}} {
		got := m.ColumnRange(r[0], r[1])
		if err := got.Validate(); err != nil {
			t.Fatalf("%v: %v", r, err)
		}
		cols := make([]int, r[1]-r[0])
		for k := range cols {
			cols[k] = r[0] + k
		}
		want := d.SelectCols(cols)
		gd := got.ToDense()
		if gd.Rows != want.Rows || gd.Cols != want.Cols {
			t.Fatalf("%v: shape %d×%d, want %d×%d", r, gd.Rows, gd.Cols, want.Rows, want.Cols)
		}
		for k := range want.Data {
			if gd.Data[k] != want.Data[k] {
				t.Fatalf("%v: entry %d is %v, want %v", r, k, gd.Data[k], want.Data[k])
			}
		}
	}
}

func TestKeepCols(t *testing.T) {
	build := func(seed int) *Dense {
		d := NewDense(6, 9)
		for i := 0; i < 6; i++ {
			for j := 0; j < 9; j++ {
				if (i*9+j+seed)%4 != 0 {
					d.Set(i, j, float32(seed*100+i*10+j))
				}
			}
		}
		return d
	}
	keep := []int{0, 2, 3, 7}
	x := build(1)
	s := x.ToCSR()
	// xs shares s's structure with its own values; same is s itself again;
	// u has its own structure; w shares s's indices but not its pointers.
	xs := &CSR{Rows: s.Rows, Cols: s.Cols, Indptr: s.Indptr, Indices: s.Indices, Data: make([]float32, len(s.Data))}
	for k, v := range s.Data {
		xs.Data[k] = -v
	}
	u := build(2).ToCSR()
	w := &CSR{Rows: s.Rows, Cols: s.Cols, Indptr: slices.Clone(s.Indptr), Indices: s.Indices, Data: slices.Clone(s.Data)}
	want := map[string]*Dense{"s": x.SelectCols(keep), "xs": x.SelectCols(keep), "u": build(2).SelectCols(keep), "w": x.SelectCols(keep)}
	for k := range want["xs"].Data {
		want["xs"].Data[k] = -want["xs"].Data[k]
	}
	KeepCols(keep, s, xs, s, u, w)
	for name, m := range map[string]*CSR{"s": s, "xs": xs, "u": u, "w": w} {
		if err := m.Validate(); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		got := m.ToDense()
		if got.Cols != len(keep) || !slices.Equal(got.Data, want[name].Data) {
			t.Errorf("%s: %v, want %v", name, got.Data, want[name].Data)
		}
	}
	if &s.Indices[0] != &xs.Indices[0] {
		t.Error("X and the layer no longer share their indices")
	}
}
