package hdf5

import "unsafe"

// ptrOf returns the address of a non-empty slice's first element.
func ptrOf[T any](s []T) unsafe.Pointer { return unsafe.Pointer(&s[0]) }
