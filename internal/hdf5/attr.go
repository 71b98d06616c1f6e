package hdf5

/*
#include "helpers.h"
*/
import "C"

import (
	"fmt"
	"unsafe"
)

// HasAttr reports whether the object has an attribute called name.
func (o *object) HasAttr(name string) bool {
	enter()
	defer leave()
	cname := C.CString(name)
	defer C.free(unsafe.Pointer(cname))
	return C.H5Aexists(o.id, cname) > 0
}

// withAttr opens attribute name and calls fn with its identifier, type,
// dataspace and element count, all under the lock.
func (o *object) withAttr(name string, fn func(aid, tid, space C.hid_t, n int) error) error {
	enter()
	defer leave()
	cname := C.CString(name)
	defer C.free(unsafe.Pointer(cname))
	aid := C.H5Aopen(o.id, cname, C.H5P_DEFAULT)
	if aid < 0 {
		return lastError("read attribute %q of %s", name, o.path)
	}
	defer closeID(aid)
	tid := C.H5Aget_type(aid)
	if tid < 0 {
		return lastError("read attribute %q of %s", name, o.path)
	}
	defer closeID(tid)
	space := C.H5Aget_space(aid)
	if space < 0 {
		return lastError("read attribute %q of %s", name, o.path)
	}
	defer closeID(space)
	n := int(C.H5Sget_simple_extent_npoints(space))
	if err := checkSize(n, int(C.H5Tget_size(tid)), plausible(o.id), fmt.Sprintf("attribute %q of %s", name, o.path)); err != nil {
		return err
	}
	return fn(aid, tid, space, n)
}

// AttrType returns the element type and element count of an attribute.
func (o *object) AttrType(name string) (Type, int, error) {
	var t Type
	var count int
	err := o.withAttr(name, func(_, tid, _ C.hid_t, n int) error {
		t, count = describe(tid), n
		return nil
	})
	return t, count, err
}

// AttrStrings reads a string attribute, scalar or array.
func (o *object) AttrStrings(name string) ([]string, error) {
	var out []string
	err := o.withAttr(name, func(aid, tid, space C.hid_t, n int) error {
		if C.H5Tget_class(tid) != C.H5T_STRING {
			return fmt.Errorf("attribute %q of %s is %s, not a string", name, o.path, describe(tid))
		}
		var err error
		out, err = readStrings(tid, space, n, func(mem C.hid_t, buf unsafe.Pointer) C.herr_t {
			return C.H5Aread(aid, mem, buf)
		}, fmt.Sprintf("read attribute %q of %s", name, o.path))
		return err
	})
	return out, err
}

// AttrString reads a string attribute holding exactly one string.
func (o *object) AttrString(name string) (string, error) {
	s, err := o.AttrStrings(name)
	if err != nil {
		return "", err
	}
	if len(s) != 1 {
		return "", fmt.Errorf("attribute %q of %s holds %d strings, want 1", name, o.path, len(s))
	}
	return s[0], nil
}

// AttrInt64s reads a numeric attribute as int64 values.
func (o *object) AttrInt64s(name string) ([]int64, error) { return attrNumeric[int64](o, name) }

// AttrFloat64s reads a numeric attribute as float64 values.
func (o *object) AttrFloat64s(name string) ([]float64, error) { return attrNumeric[float64](o, name) }

// AttrBool reads a one-element boolean or integer attribute; non-zero is
// true.
func (o *object) AttrBool(name string) (bool, error) {
	v, err := attrNumeric[int64](o, name)
	if err != nil {
		return false, err
	}
	if len(v) != 1 {
		return false, fmt.Errorf("attribute %q of %s holds %d values, want 1", name, o.path, len(v))
	}
	return v[0] != 0, nil
}

func attrNumeric[T Number](o *object, name string) ([]T, error) {
	var out []T
	err := o.withAttr(name, func(aid, tid, _ C.hid_t, n int) error {
		t := describe(tid)
		if !t.Numeric() {
			return fmt.Errorf("attribute %q of %s is %s, not numeric", name, o.path, t)
		}
		out = make([]T, n)
		if n == 0 {
			return nil
		}
		from := t.kind()
		if from == kindInvalid {
			if C.H5Aread(aid, kindOf[T]().native(), unsafe.Pointer(&out[0])) < 0 {
				return lastError("read attribute %q of %s", name, o.path)
			}
			return nil
		}
		mem := nativeOf(tid)
		if mem < 0 {
			return lastError("read attribute %q of %s", name, o.path)
		}
		defer closeID(mem)
		raw := make([]uint64, (n*from.size()+7)/8)
		if C.H5Aread(aid, mem, unsafe.Pointer(&raw[0])) < 0 {
			return lastError("read attribute %q of %s", name, o.path)
		}
		convert(out, unsafe.Pointer(&raw[0]), from)
		return nil
	})
	return out, err
}

// AttrRef follows a scalar object-reference attribute and returns the path
// of the object it points to.
func (o *object) AttrRef(name string) (string, error) {
	var path string
	err := o.withAttr(name, func(aid, tid, _ C.hid_t, n int) error {
		if C.H5Tget_class(tid) != C.H5T_REFERENCE || n != 1 {
			return fmt.Errorf("attribute %q of %s is not an object reference", name, o.path)
		}
		var ref C.hobj_ref_t
		if C.H5Aread(aid, C.velo_ref_obj(), unsafe.Pointer(&ref)) < 0 {
			return lastError("read attribute %q of %s", name, o.path)
		}
		target := C.H5Rdereference2(o.id, C.H5P_DEFAULT, C.H5R_OBJECT, unsafe.Pointer(&ref))
		if target < 0 {
			return lastError("follow reference %q of %s", name, o.path)
		}
		defer closeID(target)
		size := C.H5Iget_name(target, nil, 0)
		if size < 0 {
			return lastError("follow reference %q of %s", name, o.path)
		}
		buf := (*C.char)(C.malloc(C.size_t(size) + 1))
		defer C.free(unsafe.Pointer(buf))
		C.H5Iget_name(target, buf, C.size_t(size)+1)
		path = C.GoString(buf)
		return nil
	})
	return path, err
}
