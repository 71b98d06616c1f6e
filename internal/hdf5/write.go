package hdf5

/*
#include "helpers.h"
*/
import "C"

import (
	"fmt"
	"unsafe"
)

// Layout says how a written array is stored. The zero value stores it
// contiguously without compression.
type Layout struct {
	// Gzip is the deflate level 1–9; 0 means no compression.
	Gzip int
	// Shuffle adds the byte-shuffle filter before deflate, which helps
	// floating-point data compress.
	Shuffle bool
	// Chunk is the chunk shape, clamped to the array's dimensions; nil with
	// Gzip or Shuffle set picks DefaultChunk.
	Chunk []int
	// Preallocate places every chunk of an uncompressed chunked array in
	// the file when it is created, in chunk order, without writing fill
	// values: the file's bytes then do not depend on the order in which
	// blocks are written later. Every element must be written before the
	// file is closed, or it holds whatever the disk held.
	Preallocate bool
}

func (l Layout) chunked() bool { return l.Gzip > 0 || l.Shuffle || l.Chunk != nil }

// chunkTarget is the uncompressed size DefaultChunk aims at: large enough
// that per-chunk overhead is negligible and the chunks of a layer spread
// across cores, small enough that partial reads stay cheap.
const chunkTarget = 256 << 10

// DefaultChunk returns the chunk shape velo writes for an array of the given
// dimensions and element size: whole rows (split only when one row exceeds
// the target size) so that row-wise readers touch few chunks.
func DefaultChunk(dims []int, elemSize int) []int {
	chunk := append([]int(nil), dims...)
	inner := elemSize
	for _, d := range dims[1:] {
		inner *= d
	}
	if len(dims) > 1 && inner > chunkTarget {
		chunk[0] = 1
		for i := len(dims) - 1; i >= 1 && inner > chunkTarget; i-- {
			per := inner / dims[i]
			chunk[i] = max(1, min(dims[i], chunkTarget/per))
			inner = per * chunk[i]
		}
		return chunk
	}
	chunk[0] = max(1, min(dims[0], chunkTarget/max(inner, 1)))
	return chunk
}

// createDataset creates a dataset of file type tid with the given dimensions
// (nil for a scalar); the lock must be held. Empty arrays are stored
// contiguously since chunks cannot be empty.
func createDataset(g *Group, name string, tid C.hid_t, dims []int, l Layout, elemSize int) (C.hid_t, error) {
	var space C.hid_t
	n := 1
	if dims == nil {
		space = C.H5Screate(C.H5S_SCALAR)
	} else {
		cd := make([]C.hsize_t, max(len(dims), 1))
		for i, v := range dims {
			cd[i] = C.hsize_t(v)
			n *= v
		}
		space = C.H5Screate_simple(C.int(len(dims)), &cd[0], &cd[0])
	}
	if space < 0 {
		return -1, lastError("create %s", join(g.path, name))
	}
	defer closeID(space)
	dcpl := C.velo_plist(3)
	defer closeID(dcpl)
	C.H5Pset_obj_track_times(dcpl, false)
	if dims != nil && n > 0 && l.chunked() {
		chunk := l.Chunk
		if chunk == nil {
			chunk = DefaultChunk(dims, elemSize)
		}
		if len(chunk) != len(dims) {
			panic(fmt.Sprintf("hdf5: chunk %v does not match dimensions %v", chunk, dims))
		}
		cc := make([]C.hsize_t, len(chunk))
		for i, v := range chunk {
			cc[i] = C.hsize_t(max(1, min(v, dims[i])))
		}
		C.H5Pset_chunk(dcpl, C.int(len(cc)), &cc[0])
		if l.Shuffle {
			C.H5Pset_shuffle(dcpl)
		}
		if l.Gzip > 0 {
			C.H5Pset_deflate(dcpl, C.uint(l.Gzip))
		}
		if l.Preallocate && l.Gzip == 0 && !l.Shuffle {
			C.H5Pset_alloc_time(dcpl, C.H5D_ALLOC_TIME_EARLY)
			C.H5Pset_fill_time(dcpl, C.H5D_FILL_TIME_NEVER)
		}
	}
	cname := C.CString(name)
	defer C.free(unsafe.Pointer(cname))
	id := C.H5Dcreate2(g.id, cname, tid, space, C.H5P_DEFAULT, dcpl, C.H5P_DEFAULT)
	if id < 0 {
		return -1, lastError("create %s", join(g.path, name))
	}
	return id, nil
}

// openCreated wraps a freshly created dataset; the lock must be held.
func openCreated(g *Group, name string, id C.hid_t) (*Dataset, error) {
	d := &Dataset{object: object{id: id, path: join(g.path, name)}}
	if err := d.inspect(); err != nil {
		closeID(id)
		return nil, err
	}
	return d, nil
}

// WriteNumeric writes data as a new dataset of the given dimensions (nil
// means 1-D) and returns it open, for attributes. Compressed chunks are
// encoded on all cores.
func WriteNumeric[T Number](g *Group, name string, data []T, dims []int, l Layout) (*Dataset, error) {
	if dims == nil {
		dims = []int{len(data)}
	}
	n := 1
	for _, v := range dims {
		n *= v
	}
	if n != len(data) {
		panic(fmt.Sprintf("hdf5: %d values for dimensions %v", len(data), dims))
	}
	k := kindOf[T]()
	var raw []byte
	if n > 0 {
		raw = unsafe.Slice((*byte)(unsafe.Pointer(&data[0])), n*k.size())
	}
	return writeRaw(g, name, raw, dims, l, k)
}

// writeRaw writes n elements of kind k held as native bytes.
func writeRaw(g *Group, name string, raw []byte, dims []int, l Layout, k kind) (*Dataset, error) {
	enter()
	id, err := createDataset(g, name, k.native(), dims, l, k.size())
	if err != nil {
		leave()
		return nil, err
	}
	d, err := openCreated(g, name, id)
	leave()
	if err != nil {
		return nil, err
	}
	if len(raw) == 0 {
		return d, nil
	}
	if err := d.write(raw, k); err != nil {
		d.Close()
		return nil, err
	}
	return d, nil
}

// write stores raw, in parallel-compressed chunks when possible.
func (d *Dataset) write(raw []byte, k kind) error {
	if ok, err := d.writeChunks(raw, k.size()); ok || err != nil {
		return err
	}
	enter()
	defer leave()
	if C.H5Dwrite(d.id, k.native(), C.H5S_ALL, C.H5S_ALL, C.H5P_DEFAULT, unsafe.Pointer(&raw[0])) < 0 {
		return lastError("write %s", d.path)
	}
	return nil
}

// WriteScalar writes a scalar numeric dataset.
func WriteScalar[T Number](g *Group, name string, v T) (*Dataset, error) {
	k := kindOf[T]()
	raw := unsafe.Slice((*byte)(unsafe.Pointer(&v)), k.size())
	return writeRaw(g, name, raw, nil, Layout{}, k)
}

// WriteBools writes a boolean array in h5py's encoding (an int8 enum).
func (g *Group) WriteBools(name string, v []bool, l Layout) (*Dataset, error) {
	return g.writeBools(name, v, []int{len(v)}, l)
}

// WriteScalarBool writes a scalar boolean in h5py's encoding.
func (g *Group) WriteScalarBool(name string, v bool) (*Dataset, error) {
	return g.writeBools(name, []bool{v}, nil, Layout{})
}

func (g *Group) writeBools(name string, v []bool, dims []int, l Layout) (*Dataset, error) {
	enter()
	defer leave()
	t := boolEnum()
	defer closeID(t)
	id, err := createDataset(g, name, t, dims, l, 1)
	if err != nil {
		return nil, err
	}
	if len(v) > 0 {
		b := make([]int8, len(v))
		for i, x := range v {
			if x {
				b[i] = 1
			}
		}
		if C.H5Dwrite(id, t, C.H5S_ALL, C.H5S_ALL, C.H5P_DEFAULT, unsafe.Pointer(&b[0])) < 0 {
			err := lastError("write %s", join(g.path, name))
			closeID(id)
			return nil, err
		}
	}
	return openCreated(g, name, id)
}

// WriteStrings writes a 1-D variable-length UTF-8 string array.
func (g *Group) WriteStrings(name string, v []string, l Layout) (*Dataset, error) {
	return g.writeStrings(name, v, []int{len(v)}, l)
}

// WriteScalarString writes a scalar variable-length UTF-8 string.
func (g *Group) WriteScalarString(name, v string) (*Dataset, error) {
	return g.writeStrings(name, []string{v}, nil, Layout{})
}

func (g *Group) writeStrings(name string, v []string, dims []int, l Layout) (*Dataset, error) {
	enter()
	defer leave()
	t := vlenString()
	defer closeID(t)
	id, err := createDataset(g, name, t, dims, l, int(unsafe.Sizeof(uintptr(0))))
	if err != nil {
		return nil, err
	}
	if len(v) > 0 {
		buf := C.velo_new_cstrings(C.size_t(len(v)))
		defer C.velo_free_cstrings(buf, C.size_t(len(v)))
		ptrs := unsafe.Slice(buf, len(v))
		for i, s := range v {
			ptrs[i] = C.CString(s)
		}
		if C.H5Dwrite(id, t, C.H5S_ALL, C.H5S_ALL, C.H5P_DEFAULT, unsafe.Pointer(buf)) < 0 {
			err := lastError("write %s", join(g.path, name))
			closeID(id)
			return nil, err
		}
	}
	return openCreated(g, name, id)
}
