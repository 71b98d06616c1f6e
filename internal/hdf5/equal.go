package hdf5

import (
	"bytes"
	"sync/atomic"
	"unsafe"
)

// EqualNumeric reports whether a numeric dataset holds exactly the values
// want (each element converted to T as ReadNumeric does, compared bit for
// bit), reading it piecewise, in chunk batches or slabs, without
// allocating a copy. It lets a reader reuse an array it already holds
// instead of loading a duplicate. Types libhdf5 must convert (float16,
// long double) report false.
func EqualNumeric[T Number](d *Dataset, want []T) (bool, error) {
	from := d.typ.kind()
	if !d.typ.Numeric() || from == kindInvalid || d.Len() != len(want) {
		return false, nil
	}
	if len(want) == 0 {
		return true, nil
	}
	es, same := from.size(), from == kindOf[T]()
	wantBytes := unsafe.Slice((*byte)(unsafe.Pointer(&want[0])), len(want)*kindOf[T]().size())
	var differ atomic.Bool
	s := sink{put: func(at int, src []byte) {
		n := len(src) / es
		if n == 0 || differ.Load() {
			return
		}
		if !same {
			conv := make([]T, n)
			convert(conv, unsafe.Pointer(&src[0]), from)
			src = unsafe.Slice((*byte)(unsafe.Pointer(&conv[0])), n*int(unsafe.Sizeof(conv[0])))
		}
		k := len(src) / n
		if !bytes.Equal(src, wantBytes[at*k:(at+n)*k]) {
			differ.Store(true)
		}
	}}
	ok, err := d.readChunks(s, es)
	if !ok && err == nil {
		err = d.readSlabs(s, es)
	}
	if err != nil {
		return false, err
	}
	return !differ.Load(), nil
}
