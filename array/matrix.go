package array

// Matrix is either a *Dense or a *CSR: the two storages AnnData uses for X
// and layers. Code that needs one form converts with AsCSR or AsDense.
type Matrix interface {
	Shape() (rows, cols int)
}

// AsCSR returns m as CSR, converting a dense matrix. A CSR input is returned
// as is (not copied).
func AsCSR(m Matrix) *CSR {
	switch t := m.(type) {
	case *CSR:
		return t
	case *Dense:
		return t.ToCSR()
	}
	panic("array: unknown Matrix type")
}

// AsDense returns m as Dense, converting a sparse matrix. A Dense input is
// returned as is (not copied).
func AsDense(m Matrix) *Dense {
	switch t := m.(type) {
	case *Dense:
		return t
	case *CSR:
		return t.ToDense()
	}
	panic("array: unknown Matrix type")
}
