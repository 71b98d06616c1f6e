package hdf5

/*
#include "helpers.h"
*/
import "C"

import (
	"strings"
	"unsafe"
)

// object is what groups and datasets share: an identifier, the path used in
// messages, and attributes.
type object struct {
	id   C.hid_t
	path string
}

// Path returns the object's path inside the file, e.g. "/layers/spliced".
func (o *object) Path() string { return o.path }

// Close releases the object. Closing twice is harmless.
func (o *object) Close() error {
	if o.id < 0 {
		return nil
	}
	enter()
	defer leave()
	closeID(o.id)
	o.id = -1
	return nil
}

func join(parent, name string) string {
	if parent == "/" {
		return "/" + name
	}
	return parent + "/" + name
}

// Group is an open HDF5 group (the root group included).
type Group struct{ object }

// Kind says what a link in a group points to.
type Kind int

// Kinds of group members.
const (
	KindOther Kind = iota
	KindGroup
	KindDataset
)

func openGroup(loc C.hid_t, name, path string) (*Group, error) {
	cname := C.CString(name)
	defer C.free(unsafe.Pointer(cname))
	id := C.H5Gopen2(loc, cname, C.H5P_DEFAULT)
	if id < 0 {
		return nil, lastError("open group %s", path)
	}
	return &Group{object{id: id, path: path}}, nil
}

// OpenGroup opens a child group (or a deeper one, "a/b").
func (g *Group) OpenGroup(name string) (*Group, error) {
	enter()
	defer leave()
	return openGroup(g.id, name, join(g.path, name))
}

// CreateGroup creates a child group without modification times.
func (g *Group) CreateGroup(name string) (*Group, error) {
	enter()
	defer leave()
	gcpl := C.velo_plist(2)
	defer closeID(gcpl)
	C.H5Pset_obj_track_times(gcpl, false)
	cname := C.CString(name)
	defer C.free(unsafe.Pointer(cname))
	id := C.H5Gcreate2(g.id, cname, C.H5P_DEFAULT, gcpl, C.H5P_DEFAULT)
	if id < 0 {
		return nil, lastError("create group %s", join(g.path, name))
	}
	return &Group{object{id: id, path: join(g.path, name)}}, nil
}

// Has reports whether the group has a member at name ("a" or "a/b").
func (g *Group) Has(name string) bool {
	enter()
	defer leave()
	parts := strings.Split(name, "/")
	for i := range parts {
		cname := C.CString(strings.Join(parts[:i+1], "/"))
		ok := C.H5Lexists(g.id, cname, C.H5P_DEFAULT) > 0
		C.free(unsafe.Pointer(cname))
		if !ok {
			return false
		}
	}
	return true
}

// Kind reports whether the member at name is a group or a dataset.
func (g *Group) Kind(name string) (Kind, error) {
	enter()
	defer leave()
	cname := C.CString(name)
	defer C.free(unsafe.Pointer(cname))
	id := C.H5Oopen(g.id, cname, C.H5P_DEFAULT)
	if id < 0 {
		return KindOther, lastError("open %s", join(g.path, name))
	}
	defer closeID(id)
	switch C.H5Iget_type(id) {
	case C.H5I_GROUP:
		return KindGroup, nil
	case C.H5I_DATASET:
		return KindDataset, nil
	}
	return KindOther, nil
}

// Children returns the names of the group's members in byte order of their
// names, the order h5py lists them in.
func (g *Group) Children() ([]string, error) {
	enter()
	defer leave()
	var info C.H5G_info_t
	if C.H5Gget_info(g.id, &info) < 0 {
		return nil, lastError("list %s", g.path)
	}
	dot := C.CString(".")
	defer C.free(unsafe.Pointer(dot))
	names := make([]string, 0, int(info.nlinks))
	for i := C.hsize_t(0); i < info.nlinks; i++ {
		n := C.H5Lget_name_by_idx(g.id, dot, C.H5_INDEX_NAME, C.H5_ITER_INC, i, nil, 0, C.H5P_DEFAULT)
		if n < 0 {
			return nil, lastError("list %s", g.path)
		}
		buf := (*C.char)(C.malloc(C.size_t(n) + 1))
		C.H5Lget_name_by_idx(g.id, dot, C.H5_INDEX_NAME, C.H5_ITER_INC, i, buf, C.size_t(n)+1, C.H5P_DEFAULT)
		names = append(names, C.GoStringN(buf, C.int(n)))
		C.free(unsafe.Pointer(buf))
	}
	return names, nil
}

// Link gives the object at target, an absolute path in the same file such
// as "/X/indices", the second name name in g (an HDF5 hard link). Readers
// see an ordinary member; the data is stored once.
func (g *Group) Link(name, target string) error {
	enter()
	defer leave()
	cname, ctarget := C.CString(name), C.CString(target)
	defer C.free(unsafe.Pointer(cname))
	defer C.free(unsafe.Pointer(ctarget))
	if C.H5Lcreate_hard(g.id, ctarget, g.id, cname, C.H5P_DEFAULT, C.H5P_DEFAULT) < 0 {
		return lastError("link %s to %s", join(g.path, name), target)
	}
	return nil
}
