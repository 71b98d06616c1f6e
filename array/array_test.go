package array

import (
	"reflect"
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
