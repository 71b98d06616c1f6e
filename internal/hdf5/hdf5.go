// Package hdf5 is velo's thin cgo binding over libhdf5: files, groups,
// datasets and attributes, with exactly the operations the h5ad and loom
// formats need.
//
// libhdf5 keeps global state and is not safe for concurrent calls from Go, so
// every call into it holds one package-wide mutex on a locked OS thread (its
// error stack is per thread). Chunk decompression and compression, which do
// not need the library, run outside that lock on all cores: reading a chunked
// deflate, shuffle or LZF dataset fetches the raw chunks through libhdf5 and
// decodes them in parallel, and writing compresses chunks in parallel and
// stores them with H5Dwrite_chunk.
//
// Deflate chunks are decoded with libdeflate when the system has it (it is
// loaded at run time, zlib serves otherwise); compression always uses zlib,
// so written files do not depend on which is installed.
//
// The binding links liblzf so that Debian's LZF filter plugin (which lacks
// that link itself) loads from libhdf5's compiled-in plugin directory.
//
// Truncated files are refused when opened, and array sizes no file of that
// size could hold are refused before allocating. Files whose metadata is
// otherwise corrupt can still crash libhdf5 itself, as they crash h5py.
package hdf5

/*
#cgo pkg-config: hdf5
#cgo LDFLAGS: -lz -ldl -lpthread -Wl,--no-as-needed -llzf -Wl,--as-needed
#include "helpers.h"
*/
import "C"

import (
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"unsafe"
)

// mu serialises every call into libhdf5.
var mu sync.Mutex

// enter takes the library lock on a locked OS thread and resets the thread's
// error state; leave undoes it. Unexported helpers that call libhdf5 assume
// the lock is held; exported functions take it.
func enter() {
	mu.Lock()
	runtime.LockOSThread()
	C.velo_begin()
}

func leave() {
	runtime.UnlockOSThread()
	mu.Unlock()
}

// ErrNotHDF5 is matched (errors.Is) by errors for files without an HDF5
// signature.
var ErrNotHDF5 = errors.New("not an HDF5 file")

// ErrTruncated is matched (errors.Is) by errors for files shorter than their
// superblock says, typically an interrupted copy or download.
var ErrTruncated = errors.New("file is truncated")

// Error is a failure reported by libhdf5, with the operation velo attempted
// and libhdf5's outermost and innermost explanations.
type Error struct {
	Op    string // what velo was doing, e.g. "open group /layers"
	Msg   string // libhdf5's explanation
	flags C.int
}

// Error returns the operation and libhdf5's explanation on one line.
func (e *Error) Error() string { return e.Op + ": " + e.Msg }

// Is reports whether the error is one of the package's sentinel errors.
func (e *Error) Is(target error) bool {
	switch target {
	case ErrTruncated:
		return e.flags&C.VELO_E_TRUNCATED != 0
	case ErrNotHDF5:
		return e.flags&C.VELO_E_NOTHDF5 != 0
	}
	return false
}

// lastError turns the calling thread's error stack into an *Error. The lock
// must be held and the failing call must have run on this thread.
func lastError(format string, args ...any) error {
	buf := (*C.char)(C.malloc(1024))
	defer C.free(unsafe.Pointer(buf))
	flags := C.velo_errmsg(buf, 1024)
	return &Error{Op: fmt.Sprintf(format, args...), Msg: oneLine(C.GoString(buf)), flags: flags}
}

// oneLine joins the lines of a libhdf5 message (its system-error messages
// embed a ctime timestamp with a newline): velo reports every error on one
// line.
func oneLine(msg string) string {
	return strings.Join(strings.Fields(msg), " ")
}

// closeID releases any libhdf5 identifier; the lock must be held.
func closeID(id C.hid_t) {
	if id >= 0 {
		C.H5Idec_ref(id)
	}
}
