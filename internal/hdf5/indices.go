package hdf5

import (
	"fmt"
	"sync"
	"unsafe"
)

// RangeError reports the first element of a dataset outside the range its
// reader requires.
type RangeError struct {
	Path  string // the dataset
	Index int    // the element's position
	Value string // its value as stored
	Bound int64  // the range is [0, Bound)
}

// Error gives the element and the range in the style of the h5ad messages,
// e.g. "/X/indices[7] = 4294967296 is outside [0, 2000)".
func (e *RangeError) Error() string {
	return fmt.Sprintf("%s[%d] = %s is outside [0, %d)", e.Path, e.Index, e.Value, e.Bound)
}

// ReadIndices reads an integer dataset of any width as int32 values that
// must lie in [0, bound), such as the column indices of a sparse matrix
// stored as int64. A value outside gives a *RangeError for the first one
// instead of wrapping into range. Each chunk or slab is checked and
// narrowed as it is decoded, so no int64 copy of the array is ever held.
func ReadIndices(d *Dataset, bound int64) ([]int32, error) {
	from := d.typ.kind()
	if d.typ.Class != ClassInteger || from == kindInvalid {
		return nil, fmt.Errorf("read %s: %s is not an integer type velo reads", d.path, d.typ)
	}
	n := d.Len()
	if err := checkSize(n, max(4, d.typ.Size), d.limit, d.path); err != nil {
		return nil, err
	}
	out := make([]int32, n)
	if n == 0 {
		return out, nil
	}
	var mu sync.Mutex
	bad := &RangeError{Path: d.path, Index: -1, Bound: bound}
	es := from.size()
	s := sink{put: func(at int, src []byte) {
		p := unsafe.Pointer(&src[0])
		m := len(src) / es
		var i int
		var v string
		switch from {
		case kindInt8:
			i, v = narrowChecked(out[at:at+m], unsafe.Slice((*int8)(p), m), bound)
		case kindUint8:
			i, v = narrowChecked(out[at:at+m], unsafe.Slice((*uint8)(p), m), bound)
		case kindInt16:
			i, v = narrowChecked(out[at:at+m], unsafe.Slice((*int16)(p), m), bound)
		case kindUint16:
			i, v = narrowChecked(out[at:at+m], unsafe.Slice((*uint16)(p), m), bound)
		case kindInt32:
			i, v = narrowChecked(out[at:at+m], unsafe.Slice((*int32)(p), m), bound)
		case kindUint32:
			i, v = narrowChecked(out[at:at+m], unsafe.Slice((*uint32)(p), m), bound)
		case kindInt64:
			i, v = narrowChecked(out[at:at+m], unsafe.Slice((*int64)(p), m), bound)
		case kindUint64:
			i, v = narrowChecked(out[at:at+m], unsafe.Slice((*uint64)(p), m), bound)
		}
		if i >= 0 {
			mu.Lock()
			if bad.Index < 0 || at+i < bad.Index {
				bad.Index, bad.Value = at+i, v
			}
			mu.Unlock()
		}
	}}
	ok, err := d.readChunks(s, es)
	if !ok && err == nil {
		err = d.readSlabs(s, es)
	}
	if err != nil {
		return nil, err
	}
	if bad.Index >= 0 {
		return nil, bad
	}
	return out, nil
}

// narrowChecked converts src into dst and returns the position and value of
// the first element outside [0, bound), or -1. Negative values become huge
// as uint64, so one comparison checks both ends.
func narrowChecked[S int8 | uint8 | int16 | uint16 | int32 | uint32 | int64 | uint64](dst []int32, src []S, bound int64) (int, string) {
	first, value := -1, ""
	for i, x := range src {
		if uint64(x) >= uint64(bound) && first < 0 {
			first, value = i, fmt.Sprint(x)
		}
		dst[i] = int32(x)
	}
	return first, value
}
