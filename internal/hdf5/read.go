package hdf5

/*
#include "helpers.h"
*/
import "C"

import (
	"fmt"
	"strings"
	"unsafe"
)

// ReadNumeric reads a whole integer, float, boolean or enum dataset in
// row-major order, converting each element to T the way a Go conversion
// T(v) does. Beyond the result it needs a bounded amount of memory (a few
// batches of chunks, or one slab when converting), not a second copy.
func ReadNumeric[T Number](d *Dataset) ([]T, error) {
	if !d.typ.Numeric() {
		return nil, fmt.Errorf("read %s: %s is not numeric", d.path, d.typ)
	}
	want := kindOf[T]()
	n := d.Len()
	if err := checkSize(n, max(want.size(), d.typ.Size), d.limit, d.path); err != nil {
		return nil, err
	}
	out := make([]T, n)
	if n == 0 {
		return out, nil
	}
	from := d.typ.kind()
	if from == kindInvalid {
		// An unusual width (float16, long double): let libhdf5 convert.
		enter()
		defer leave()
		if C.H5Dread(d.id, want.native(), C.H5S_ALL, C.H5S_ALL, C.H5P_DEFAULT, unsafe.Pointer(&out[0])) < 0 {
			return nil, lastError("read %s", d.path)
		}
		return out, nil
	}
	es := from.size()
	var s sink
	if from == want {
		dst := unsafe.Slice((*byte)(unsafe.Pointer(&out[0])), n*es)
		s = sink{direct: dst, put: func(at int, src []byte) { copy(dst[at*es:], src) }}
	} else {
		s = sink{put: func(at int, src []byte) { convert(out[at:at+len(src)/es], unsafe.Pointer(&src[0]), from) }}
	}
	ok, err := d.readChunks(s, es)
	switch {
	case ok || err != nil:
		return out, err
	case from == want:
		return out, d.readLibrary(unsafe.Pointer(&out[0]))
	}
	return out, d.readSlabs(s, es)
}

// slabBytes bounds the buffer of a read that converts through H5Dread; a
// variable so that tests can force many slabs on small data.
var slabBytes = 8 << 20

// readSlabs reads the dataset through H5Dread in slabs of whole rows (of
// about slabBytes) in the native form of the file type, es bytes per
// element, handing each slab to s.
func (d *Dataset) readSlabs(s sink, es int) error {
	if len(d.dims) == 0 {
		buf := make([]byte, es)
		if err := d.readLibrary(unsafe.Pointer(&buf[0])); err != nil {
			return err
		}
		s.put(0, buf)
		return nil
	}
	inner := d.n / d.dims[0]
	rows := max(1, min(d.dims[0], slabBytes/max(1, inner*es)))
	buf := make([]byte, rows*inner*es)
	offset, count := make([]int, len(d.dims)), append([]int(nil), d.dims...)
	for r := 0; r < d.dims[0]; r += rows {
		m := min(rows, d.dims[0]-r)
		offset[0], count[0] = r, m
		if err := d.readNativeBlock(offset, count, unsafe.Pointer(&buf[0])); err != nil {
			return err
		}
		s.put(r*inner, buf[:m*inner*es])
	}
	return nil
}

// readLibrary fills dst through H5Dread in the native form of the file type.
func (d *Dataset) readLibrary(dst unsafe.Pointer) error {
	return d.withNative(func(mem C.hid_t) error {
		if C.H5Dread(d.id, mem, C.H5S_ALL, C.H5S_ALL, C.H5P_DEFAULT, dst) < 0 {
			return lastError("read %s", d.path)
		}
		return nil
	})
}

// readNativeBlock reads one block in the native form of the file type.
func (d *Dataset) readNativeBlock(offset, count []int, dst unsafe.Pointer) error {
	return d.withNative(func(mem C.hid_t) error {
		return d.transfer(false, mem, [][2][]int{{offset, count}}, count, dst)
	})
}

// withNative calls read, under the library lock, with the native memory
// type of the dataset's file type.
func (d *Dataset) withNative(read func(mem C.hid_t) error) error {
	enter()
	defer leave()
	tid := C.H5Dget_type(d.id)
	if tid < 0 {
		return lastError("read %s", d.path)
	}
	defer closeID(tid)
	mem := nativeOf(tid)
	if mem < 0 {
		return lastError("read %s", d.path)
	}
	defer closeID(mem)
	return read(mem)
}

// ReadBools reads a boolean or integer dataset; non-zero is true.
func ReadBools(d *Dataset) ([]bool, error) {
	v, err := ReadNumeric[int64](d)
	if err != nil {
		return nil, err
	}
	out := make([]bool, len(v))
	for i, x := range v {
		out[i] = x != 0
	}
	return out, nil
}

// ReadStrings reads a variable- or fixed-length string dataset (a scalar
// gives one string). Fixed-length strings lose their padding.
func (d *Dataset) ReadStrings() ([]string, error) {
	if d.typ.Class != ClassString {
		return nil, fmt.Errorf("read %s: %s is not a string", d.path, d.typ)
	}
	if err := checkSize(d.Len(), d.typ.Size, d.limit, d.path); err != nil {
		return nil, err
	}
	enter()
	defer leave()
	tid := C.H5Dget_type(d.id)
	if tid < 0 {
		return nil, lastError("read %s", d.path)
	}
	defer closeID(tid)
	space := C.H5Dget_space(d.id)
	if space < 0 {
		return nil, lastError("read %s", d.path)
	}
	defer closeID(space)
	return readStrings(tid, space, d.Len(), func(mem C.hid_t, buf unsafe.Pointer) C.herr_t {
		return C.H5Dread(d.id, mem, C.H5S_ALL, C.H5S_ALL, C.H5P_DEFAULT, buf)
	}, "read "+d.path)
}

// readStrings reads n strings of file type tid through read, which is
// H5Dread or H5Aread; the lock must be held.
func readStrings(tid, space C.hid_t, n int, read func(mem C.hid_t, buf unsafe.Pointer) C.herr_t, op string) ([]string, error) {
	out := make([]string, n)
	if n == 0 {
		return out, nil
	}
	if C.H5Tis_variable_str(tid) > 0 {
		mem := C.H5Tcopy(C.velo_c_s1())
		defer closeID(mem)
		C.H5Tset_size(mem, C.H5T_VARIABLE)
		C.H5Tset_cset(mem, C.H5Tget_cset(tid))
		buf := C.velo_new_cstrings(C.size_t(n))
		defer C.free(unsafe.Pointer(buf))
		if read(mem, unsafe.Pointer(buf)) < 0 {
			return nil, lastError("%s", op)
		}
		for i, p := range unsafe.Slice(buf, n) {
			if p != nil {
				out[i] = C.GoString(p)
			}
		}
		C.H5Dvlen_reclaim(mem, space, C.H5P_DEFAULT, unsafe.Pointer(buf))
		return out, nil
	}
	size := int(C.H5Tget_size(tid))
	mem := C.H5Tcopy(tid)
	defer closeID(mem)
	buf := C.malloc(C.size_t(max(n*size, 1)))
	defer C.free(buf)
	if read(mem, buf) < 0 {
		return nil, lastError("%s", op)
	}
	raw := unsafe.Slice((*byte)(buf), n*size)
	spaces := C.H5Tget_strpad(tid) == C.H5T_STR_SPACEPAD
	for i := range out {
		s := raw[i*size : (i+1)*size]
		if spaces {
			out[i] = strings.TrimRight(string(s), " ")
			continue
		}
		if k := strings.IndexByte(string(s), 0); k >= 0 {
			s = s[:k]
		}
		out[i] = string(s)
	}
	return out, nil
}
