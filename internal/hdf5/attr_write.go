package hdf5

/*
#include "helpers.h"
*/
import "C"

import (
	"unsafe"
)

// writeAttr replaces attribute name with one of type tid and dataspace
// space holding buf; the lock must be held.
func (o *object) writeAttr(name string, tid, space C.hid_t, buf unsafe.Pointer) error {
	cname := C.CString(name)
	defer C.free(unsafe.Pointer(cname))
	if C.H5Aexists(o.id, cname) > 0 && C.H5Adelete(o.id, cname) < 0 {
		return lastError("replace attribute %q of %s", name, o.path)
	}
	aid := C.H5Acreate2(o.id, cname, tid, space, C.H5P_DEFAULT, C.H5P_DEFAULT)
	if aid < 0 {
		return lastError("write attribute %q of %s", name, o.path)
	}
	defer closeID(aid)
	if C.H5Awrite(aid, tid, buf) < 0 {
		return lastError("write attribute %q of %s", name, o.path)
	}
	return nil
}

// vlenString returns a new variable-length UTF-8 string type, as h5py writes
// Python str; the caller closes it. The lock must be held.
func vlenString() C.hid_t {
	t := C.H5Tcopy(C.velo_c_s1())
	C.H5Tset_size(t, C.H5T_VARIABLE)
	C.H5Tset_cset(t, C.H5T_CSET_UTF8)
	return t
}

// boolEnum returns h5py's boolean type, an int8 enum {FALSE=0, TRUE=1}; the
// caller closes it. The lock must be held.
func boolEnum() C.hid_t {
	t := C.H5Tenum_create(kindInt8.native())
	for v, name := range []string{"FALSE", "TRUE"} {
		cname := C.CString(name)
		val := C.int8_t(v)
		C.H5Tenum_insert(t, cname, unsafe.Pointer(&val))
		C.free(unsafe.Pointer(cname))
	}
	return t
}

// simpleSpace returns a 1-D dataspace of n elements (n may be 0); the caller
// closes it.
func simpleSpace(n int) C.hid_t {
	dims := []C.hsize_t{C.hsize_t(n)}
	return C.H5Screate_simple(1, &dims[0], &dims[0])
}

// SetAttrString writes a scalar variable-length UTF-8 string attribute.
func (o *object) SetAttrString(name, v string) error {
	enter()
	defer leave()
	t := vlenString()
	defer closeID(t)
	space := C.H5Screate(C.H5S_SCALAR)
	defer closeID(space)
	buf := C.velo_new_cstrings(1)
	defer C.velo_free_cstrings(buf, 1)
	*buf = C.CString(v)
	return o.writeAttr(name, t, space, unsafe.Pointer(buf))
}

// SetAttrStrings writes a 1-D variable-length UTF-8 string array attribute.
// An empty array is a zero-length simple dataspace, which anndata reads as
// an empty list (a null dataspace would read as None).
func (o *object) SetAttrStrings(name string, v []string) error {
	enter()
	defer leave()
	t := vlenString()
	defer closeID(t)
	space := simpleSpace(len(v))
	defer closeID(space)
	buf := C.velo_new_cstrings(C.size_t(len(v)))
	defer C.velo_free_cstrings(buf, C.size_t(len(v)))
	for i, s := range v {
		unsafe.Slice(buf, len(v))[i] = C.CString(s)
	}
	return o.writeAttr(name, t, space, unsafe.Pointer(buf))
}

// SetAttrInt64s writes a 1-D int64 array attribute.
func (o *object) SetAttrInt64s(name string, v []int64) error {
	enter()
	defer leave()
	space := simpleSpace(len(v))
	defer closeID(space)
	buf := C.malloc(C.size_t(max(8*len(v), 8)))
	defer C.free(buf)
	copy(unsafe.Slice((*int64)(buf), len(v)), v)
	return o.writeAttr(name, kindInt64.native(), space, buf)
}

// SetAttrFloat64 writes a scalar float64 attribute.
func (o *object) SetAttrFloat64(name string, v float64) error {
	enter()
	defer leave()
	space := C.H5Screate(C.H5S_SCALAR)
	defer closeID(space)
	return o.writeAttr(name, kindFloat64.native(), space, unsafe.Pointer(&v))
}

// SetAttrBool writes a scalar boolean attribute in h5py's enum encoding.
func (o *object) SetAttrBool(name string, v bool) error {
	enter()
	defer leave()
	t := boolEnum()
	defer closeID(t)
	space := C.H5Screate(C.H5S_SCALAR)
	defer closeID(space)
	var b int8
	if v {
		b = 1
	}
	return o.writeAttr(name, t, space, unsafe.Pointer(&b))
}
