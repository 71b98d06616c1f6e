package hdf5

/*
#include "helpers.h"
*/
import "C"

import (
	"fmt"
	"unsafe"
)

// Number is the set of Go element types numeric datasets and attributes are
// read into and written from.
type Number interface {
	int8 | uint8 | int16 | uint16 | int32 | uint32 | int64 | uint64 | float32 | float64
}

// kind identifies a native numeric type; the values match velo_native in
// helpers.c.
type kind int

const (
	kindInvalid kind = iota
	kindInt8
	kindUint8
	kindInt16
	kindUint16
	kindInt32
	kindUint32
	kindInt64
	kindUint64
	kindFloat32
	kindFloat64
)

func kindOf[T Number]() kind {
	var z T
	switch any(z).(type) {
	case int8:
		return kindInt8
	case uint8:
		return kindUint8
	case int16:
		return kindInt16
	case uint16:
		return kindUint16
	case int32:
		return kindInt32
	case uint32:
		return kindUint32
	case int64:
		return kindInt64
	case uint64:
		return kindUint64
	case float32:
		return kindFloat32
	case float64:
		return kindFloat64
	}
	return kindInvalid
}

func (k kind) size() int {
	switch k {
	case kindInt8, kindUint8:
		return 1
	case kindInt16, kindUint16:
		return 2
	case kindInt32, kindUint32, kindFloat32:
		return 4
	case kindInt64, kindUint64, kindFloat64:
		return 8
	}
	return 0
}

// native returns the library's native type; the lock must be held. Native
// types are library constants and are never closed.
func (k kind) native() C.hid_t { return C.velo_native(C.int(k)) }

// Class is the kind of an element type as velo distinguishes them.
type Class int

// Element type classes. Bool is h5py's boolean: an enum of int8 with members
// FALSE=0 and TRUE=1. Other enums are ClassEnum and read as their integers.
const (
	ClassOther Class = iota
	ClassInteger
	ClassFloat
	ClassString
	ClassBool
	ClassEnum
	ClassCompound
	ClassReference
)

var classNames = [...]string{"unsupported", "integer", "float", "string", "bool", "enum", "compound", "reference"}

// String names the class, e.g. "integer".
func (c Class) String() string { return classNames[c] }

// Type describes the element type of a dataset or attribute.
type Type struct {
	Class  Class
	Size   int  // bytes per element; for variable-length strings the pointer size
	Signed bool // integers and enums
	VarLen bool // variable-length strings
	little bool // little-endian storage of integers, floats and enums
}

// Numeric reports whether elements can be read as numbers: integers,
// floats, booleans and enums.
func (t Type) Numeric() bool {
	switch t.Class {
	case ClassInteger, ClassFloat, ClassBool, ClassEnum:
		return true
	}
	return false
}

// String describes the type the way error messages show it, e.g. "int32"
// or "variable-length string".
func (t Type) String() string {
	switch t.Class {
	case ClassInteger, ClassEnum:
		s := "uint"
		if t.Signed {
			s = "int"
		}
		if t.Class == ClassEnum {
			s = "enum " + s
		}
		return fmt.Sprintf("%s%d", s, 8*t.Size)
	case ClassFloat:
		return fmt.Sprintf("float%d", 8*t.Size)
	case ClassString:
		if t.VarLen {
			return "variable-length string"
		}
		return fmt.Sprintf("fixed-length string (%d bytes)", t.Size)
	}
	return t.Class.String()
}

// kind returns the native kind matching a numeric type, or kindInvalid.
func (t Type) kind() kind {
	switch t.Class {
	case ClassFloat:
		switch t.Size {
		case 4:
			return kindFloat32
		case 8:
			return kindFloat64
		}
	case ClassInteger, ClassEnum, ClassBool:
		var k kind
		switch t.Size {
		case 1:
			k = kindUint8
		case 2:
			k = kindUint16
		case 4:
			k = kindUint32
		case 8:
			k = kindUint64
		default:
			return kindInvalid
		}
		if t.Signed {
			k-- // each signed kind precedes its unsigned twin
		}
		return k
	}
	return kindInvalid
}

// describe inspects a datatype; the lock must be held.
func describe(tid C.hid_t) Type {
	t := Type{Size: int(C.H5Tget_size(tid))}
	switch C.H5Tget_class(tid) {
	case C.H5T_INTEGER:
		t.Class = ClassInteger
		t.Signed = C.H5Tget_sign(tid) == C.H5T_SGN_2
		t.little = C.H5Tget_order(tid) == C.H5T_ORDER_LE
	case C.H5T_FLOAT:
		t.Class = ClassFloat
		t.little = C.H5Tget_order(tid) == C.H5T_ORDER_LE
	case C.H5T_STRING:
		t.Class = ClassString
		t.VarLen = C.H5Tis_variable_str(tid) > 0
	case C.H5T_ENUM:
		t.Class = ClassEnum
		base := C.H5Tget_super(tid)
		if base >= 0 {
			t.Signed = C.H5Tget_sign(base) == C.H5T_SGN_2
			t.little = C.H5Tget_order(base) == C.H5T_ORDER_LE
			closeID(base)
		}
		if isBoolEnum(tid) {
			t.Class = ClassBool
		}
	case C.H5T_COMPOUND:
		t.Class = ClassCompound
	case C.H5T_REFERENCE:
		t.Class = ClassReference
	}
	return t
}

// isBoolEnum recognises h5py's boolean enum {FALSE=0, TRUE=1}.
func isBoolEnum(tid C.hid_t) bool {
	if C.H5Tget_nmembers(tid) != 2 || C.H5Tget_size(tid) != 1 {
		return false
	}
	for i, want := range []string{"FALSE", "TRUE"} {
		name := C.H5Tget_member_name(tid, C.uint(i))
		if name == nil {
			return false
		}
		got := C.GoString(name)
		C.H5free_memory(unsafe.Pointer(name))
		if got != want {
			return false
		}
	}
	return true
}

// nativeOf returns a memory type matching a numeric file type exactly
// (including enums, which libhdf5 cannot convert to integers); the caller
// closes it. The lock must be held.
func nativeOf(tid C.hid_t) C.hid_t {
	return C.H5Tget_native_type(tid, C.H5T_DIR_ASCEND)
}

// convert copies n elements of kind from raw (native byte order) into dst,
// converting each with Go's numeric conversion.
func convert[T Number](dst []T, raw unsafe.Pointer, from kind) {
	n := len(dst)
	if n == 0 {
		return
	}
	switch from {
	case kindInt8:
		convertFrom(dst, unsafe.Slice((*int8)(raw), n))
	case kindUint8:
		convertFrom(dst, unsafe.Slice((*uint8)(raw), n))
	case kindInt16:
		convertFrom(dst, unsafe.Slice((*int16)(raw), n))
	case kindUint16:
		convertFrom(dst, unsafe.Slice((*uint16)(raw), n))
	case kindInt32:
		convertFrom(dst, unsafe.Slice((*int32)(raw), n))
	case kindUint32:
		convertFrom(dst, unsafe.Slice((*uint32)(raw), n))
	case kindInt64:
		convertFrom(dst, unsafe.Slice((*int64)(raw), n))
	case kindUint64:
		convertFrom(dst, unsafe.Slice((*uint64)(raw), n))
	case kindFloat32:
		convertFrom(dst, unsafe.Slice((*float32)(raw), n))
	case kindFloat64:
		convertFrom(dst, unsafe.Slice((*float64)(raw), n))
	default:
		panic("hdf5: convert from an invalid kind")
	}
}

func convertFrom[T, S Number](dst []T, src []S) {
	for i, v := range src {
		dst[i] = T(v)
	}
}
