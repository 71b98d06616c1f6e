package hdf5

/*
#include "helpers.h"
*/
import "C"

import (
	"unsafe"
)

// File is an open HDF5 file.
type File struct {
	id   C.hid_t
	path string
}

// accessList returns the file access properties velo uses; the caller
// closes them. Closing a file closes whatever is still open in it, and file
// locking is used where the file system supports it and skipped where it
// does not (NFS, Lustre), instead of failing the open.
func accessList() C.hid_t {
	fapl := C.velo_plist(0)
	C.H5Pset_fclose_degree(fapl, C.H5F_CLOSE_STRONG)
	C.H5Pset_file_locking(fapl, true, true)
	return fapl
}

// Open opens an existing file read-only.
func Open(path string) (*File, error) {
	enter()
	defer leave()
	fapl := accessList()
	defer closeID(fapl)
	cpath := C.CString(path)
	defer C.free(unsafe.Pointer(cpath))
	id := C.H5Fopen(cpath, C.H5F_ACC_RDONLY, fapl)
	if id < 0 {
		return nil, lastError("open %s", path)
	}
	return &File{id: id, path: path}, nil
}

// Create creates a file, replacing any existing one. Objects it creates carry
// no modification times, so writing the same content twice gives the same
// bytes; the format stays the most compatible one (libver "earliest"), which
// every h5py and anndata version reads.
func Create(path string) (*File, error) {
	enter()
	defer leave()
	fapl := accessList()
	defer closeID(fapl)
	fcpl := C.velo_plist(1)
	defer closeID(fcpl)
	C.H5Pset_obj_track_times(fcpl, false)
	cpath := C.CString(path)
	defer C.free(unsafe.Pointer(cpath))
	id := C.H5Fcreate(cpath, C.H5F_ACC_TRUNC, fcpl, fapl)
	if id < 0 {
		return nil, lastError("create %s", path)
	}
	return &File{id: id, path: path}, nil
}

// Path returns the path the file was opened with.
func (f *File) Path() string { return f.path }

// Root opens the root group; the caller closes it.
func (f *File) Root() (*Group, error) {
	enter()
	defer leave()
	return openGroup(f.id, "/", "/")
}

// Close flushes and closes the file and any object still open in it.
func (f *File) Close() error {
	if f.id < 0 {
		return nil
	}
	enter()
	defer leave()
	rc := C.H5Fclose(f.id)
	f.id = -1
	if rc < 0 {
		return lastError("close %s", f.path)
	}
	return nil
}
