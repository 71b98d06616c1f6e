// Package array holds velo's matrix storage: row-major float32 dense matrices
// and compressed sparse row (CSR) matrices laid out as AnnData stores them
// (float32 data, int32 column indices, int64 row pointers).
//
// The package imports no other velo package. Functions never modify their
// inputs unless their name says so; shape mistakes are programmer errors and
// panic, as in gonum.
package array

import "fmt"

// Dense is a row-major float32 matrix. Element (i, j) is Data[i*Cols+j].
type Dense struct {
	Rows, Cols int
	Data       []float32
}

// NewDense returns a zeroed rows × cols matrix.
func NewDense(rows, cols int) *Dense {
	if rows < 0 || cols < 0 {
		panic(fmt.Sprintf("array: negative shape %d×%d", rows, cols))
	}
	return &Dense{Rows: rows, Cols: cols, Data: make([]float32, rows*cols)}
}

// At returns element (i, j).
func (d *Dense) At(i, j int) float32 { return d.Data[i*d.Cols+j] }

// Set sets element (i, j) to v.
func (d *Dense) Set(i, j int, v float32) { d.Data[i*d.Cols+j] = v }

// Row returns row i as a slice that aliases the matrix storage.
func (d *Dense) Row(i int) []float32 { return d.Data[i*d.Cols : (i+1)*d.Cols] }

// Shape returns the number of rows and columns.
func (d *Dense) Shape() (int, int) { return d.Rows, d.Cols }

// Clone returns a deep copy.
func (d *Dense) Clone() *Dense {
	return &Dense{Rows: d.Rows, Cols: d.Cols, Data: append([]float32(nil), d.Data...)}
}

// Col copies column j into dst (allocated when nil or too short) and returns it.
func (d *Dense) Col(dst []float32, j int) []float32 {
	if cap(dst) < d.Rows {
		dst = make([]float32, d.Rows)
	}
	dst = dst[:d.Rows]
	for i := range dst {
		dst[i] = d.Data[i*d.Cols+j]
	}
	return dst
}

// SelectCols returns a new matrix holding the given columns in order.
func (d *Dense) SelectCols(cols []int) *Dense {
	out := NewDense(d.Rows, len(cols))
	for i := 0; i < d.Rows; i++ {
		src, dst := d.Row(i), out.Row(i)
		for k, j := range cols {
			dst[k] = src[j]
		}
	}
	return out
}

// SelectRows returns a new matrix holding the given rows in order.
func (d *Dense) SelectRows(rows []int) *Dense {
	out := NewDense(len(rows), d.Cols)
	for k, i := range rows {
		copy(out.Row(k), d.Row(i))
	}
	return out
}

// ToCSR returns d as a CSR matrix, storing only non-zero entries.
func (d *Dense) ToCSR() *CSR {
	m := &CSR{Rows: d.Rows, Cols: d.Cols, Indptr: make([]int64, d.Rows+1)}
	for i := 0; i < d.Rows; i++ {
		for j, v := range d.Row(i) {
			if v != 0 {
				m.Indices = append(m.Indices, int32(j))
				m.Data = append(m.Data, v)
			}
		}
		m.Indptr[i+1] = int64(len(m.Data))
	}
	return m
}
