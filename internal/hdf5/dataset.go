package hdf5

/*
#include "helpers.h"
*/
import "C"

import (
	"fmt"
	"math"
	"unsafe"
)

// Filter identifiers of the pipelines velo decodes itself.
const (
	filterDeflate = 1
	filterShuffle = 2
	filterLZF     = 32000
)

// Dataset is an open HDF5 dataset with its shape, element type and storage
// layout read once at open time.
type Dataset struct {
	object
	dims    []int // nil for a scalar
	null    bool  // an H5S_NULL dataspace: no elements at all
	n       int   // number of elements, -1 when the dimensions overflow
	limit   int64 // bytes the file can plausibly hold, see plausible
	typ     Type
	chunk   []int    // chunk dimensions, nil unless chunked
	filters []filter // the filter pipeline in the order it is applied on write
}

type filter struct {
	id    int
	flags uint
	cd    []uint
}

// OpenDataset opens a dataset at name ("a" or "a/b").
func (g *Group) OpenDataset(name string) (*Dataset, error) {
	enter()
	defer leave()
	cname := C.CString(name)
	defer C.free(unsafe.Pointer(cname))
	id := C.H5Dopen2(g.id, cname, C.H5P_DEFAULT)
	path := join(g.path, name)
	if id < 0 {
		return nil, lastError("open dataset %s", path)
	}
	d := &Dataset{object: object{id: id, path: path}}
	if err := d.inspect(); err != nil {
		closeID(id)
		return nil, err
	}
	return d, nil
}

// inspect reads shape, type and layout; the lock must be held.
func (d *Dataset) inspect() error {
	space := C.H5Dget_space(d.id)
	if space < 0 {
		return lastError("read shape of %s", d.path)
	}
	defer closeID(space)
	switch C.H5Sget_simple_extent_type(space) {
	case C.H5S_NULL:
		d.null = true
	case C.H5S_SIMPLE:
		rank := int(C.H5Sget_simple_extent_ndims(space))
		dims := make([]C.hsize_t, max(rank, 1))
		C.H5Sget_simple_extent_dims(space, &dims[0], nil)
		d.dims = make([]int, rank)
		for i := range d.dims {
			d.dims[i] = int(min(dims[i], math.MaxInt64))
		}
	}
	d.n = count(d.dims)
	if d.null {
		d.n = 0
	}
	d.limit = plausible(d.id)
	tid := C.H5Dget_type(d.id)
	if tid < 0 {
		return lastError("read type of %s", d.path)
	}
	d.typ = describe(tid)
	closeID(tid)

	dcpl := C.H5Dget_create_plist(d.id)
	if dcpl < 0 {
		return lastError("read layout of %s", d.path)
	}
	defer closeID(dcpl)
	if C.H5Pget_layout(dcpl) == C.H5D_CHUNKED && len(d.dims) > 0 {
		cdims := make([]C.hsize_t, len(d.dims))
		C.H5Pget_chunk(dcpl, C.int(len(d.dims)), &cdims[0])
		d.chunk = make([]int, len(d.dims))
		for i := range d.chunk {
			d.chunk[i] = int(cdims[i])
		}
	}
	nf := int(C.H5Pget_nfilters(dcpl))
	for i := 0; i < nf; i++ {
		var flags C.uint
		nelem := C.size_t(8)
		cd := make([]C.uint, 8)
		var config C.uint
		id := C.H5Pget_filter2(dcpl, C.uint(i), &flags, &nelem, &cd[0], 0, nil, &config)
		f := filter{id: int(id), flags: uint(flags)}
		for _, v := range cd[:min(int(nelem), len(cd))] {
			f.cd = append(f.cd, uint(v))
		}
		d.filters = append(d.filters, f)
	}
	return nil
}

// Shape returns the dimensions; a scalar dataset has none.
func (d *Dataset) Shape() []int { return append([]int(nil), d.dims...) }

// Scalar reports whether the dataset holds a single value with no
// dimensions.
func (d *Dataset) Scalar() bool { return d.dims == nil && !d.null }

// Len returns the number of elements, or -1 when the dimensions of a
// corrupt file overflow.
func (d *Dataset) Len() int { return d.n }

// count multiplies dimensions, returning -1 on overflow.
func count(dims []int) int {
	n := 1
	for _, v := range dims {
		if v < 0 || (v > 0 && n > math.MaxInt/v) {
			return -1
		}
		n *= v
	}
	return n
}

// plausible returns how many bytes of data the file holding an object can
// hold: deflate expands at most ~1032-fold and LZF far less, so 1100 times
// the file size (and at least 1 GiB) bounds every fully written array. It
// stops a corrupt file's absurd dimensions from being allocated; arrays that
// are larger only through never-written chunks are refused as well. The
// lock must be held.
func plausible(id C.hid_t) int64 {
	fid := C.H5Iget_file_id(id)
	if fid < 0 {
		return math.MaxInt64
	}
	defer closeID(fid)
	var size C.hsize_t
	if C.H5Fget_filesize(fid, &size) < 0 || int64(size) > math.MaxInt64/1100 {
		return math.MaxInt64
	}
	return max(1<<30, 1100*int64(size))
}

// checkSize refuses to allocate n elements of size bytes beyond limit.
func checkSize(n, size int, limit int64, what string) error {
	if n < 0 || (size > 0 && int64(n) > limit/int64(size)) {
		return fmt.Errorf("%s claims more elements than its file can hold; the file is corrupt", what)
	}
	return nil
}

// Type returns the element type.
func (d *Dataset) Type() Type { return d.typ }
