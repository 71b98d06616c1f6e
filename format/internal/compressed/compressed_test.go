package compressed

import (
	"reflect"
	"strings"
	"testing"

	"github.com/velo-rna/velo/array"
)

func TestCanonical(t *testing.T) {
	// Row 0 stores columns 2, 0 out of order.
	csr := &array.CSR{Rows: 2, Cols: 3, Indptr: []int64{0, 2, 3}, Indices: []int32{2, 0, 1}, Data: []float32{5, 7, 9}}
	got, err := Canonical(csr, false)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.Indices, []int32{0, 2, 1}) || !reflect.DeepEqual(got.Data, []float32{7, 5, 9}) {
		t.Fatalf("sorted CSR %v %v", got.Indices, got.Data)
	}
	// The same matrix's transpose given as CSC comes back as the 3×2 CSR.
	csc := &array.CSR{Rows: 2, Cols: 3, Indptr: []int64{0, 2, 3}, Indices: []int32{0, 2, 1}, Data: []float32{7, 5, 9}}
	tr, err := Canonical(csc, true)
	if err != nil {
		t.Fatal(err)
	}
	if tr.Rows != 3 || tr.Cols != 2 || tr.At(0, 0) != 7 || tr.At(2, 0) != 5 || tr.At(1, 1) != 9 {
		t.Fatalf("transposed CSC %+v", tr)
	}
	for name, c := range map[string]struct {
		m    *array.CSR
		want string
	}{
		"repeated index": {&array.CSR{Rows: 1, Cols: 3, Indptr: []int64{0, 2}, Indices: []int32{1, 1}, Data: []float32{1, 1}}, "repeated"},
		"out of range":   {&array.CSR{Rows: 1, Cols: 3, Indptr: []int64{0, 1}, Indices: []int32{3}, Data: []float32{1}}, "outside"},
		"short indptr":   {&array.CSR{Rows: 2, Cols: 3, Indptr: []int64{0, 1}, Indices: []int32{0}, Data: []float32{1}}, "indptr has 2 entries"},
		"decreasing":     {&array.CSR{Rows: 2, Cols: 3, Indptr: []int64{0, 1, 0}, Indices: []int32{0}, Data: []float32{1}}, "decreases"},
	} {
		if _, err := Canonical(c.m, false); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one mentioning %q", name, err, c.want)
		}
	}
}
