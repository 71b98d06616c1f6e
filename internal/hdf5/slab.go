package hdf5

/*
#include "helpers.h"
*/
import "C"

import (
	"fmt"
	"unsafe"
)

// CreateNumeric creates an n-dimensional dataset of T's type without
// writing it, for filling block by block with WriteBlock. Unwritten
// elements read as zero.
func CreateNumeric[T Number](g *Group, name string, dims []int, l Layout) (*Dataset, error) {
	k := kindOf[T]()
	enter()
	defer leave()
	id, err := createDataset(g, name, k.native(), dims, l, k.size())
	if err != nil {
		return nil, err
	}
	return openCreated(g, name, id)
}

// WriteBlock writes data, a dense row-major block of count[i] elements
// along each dimension i, at offset of the dataset. libhdf5 converts to the
// dataset's type if it differs from T.
func WriteBlock[T Number](d *Dataset, offset, count []int, data []T) error {
	if err := d.checkBlock(offset, count, len(data)); err != nil {
		return err
	}
	if len(data) == 0 {
		return nil
	}
	enter()
	defer leave()
	return d.transfer(true, kindOf[T]().native(), [][2][]int{{offset, count}}, count, unsafe.Pointer(&data[0]))
}

// ReadColumns reads the given columns (strictly increasing) of every row of
// a 2-D dataset into dst, row-major with len(cols) values per row, as
// ReadRowColumns does for all rows.
func ReadColumns[T Number](d *Dataset, cols []int, dst []T) error {
	if len(d.dims) != 2 {
		return fmt.Errorf("read %s: columns of a %d-dimensional dataset", d.path, len(d.dims))
	}
	return ReadRowColumns(d, 0, d.dims[0], cols, dst)
}

// ReadRowColumns reads the given columns (strictly increasing) of rows
// [r0, r1) of a 2-D dataset into dst, row-major with len(cols) values per
// row. It reads slabs of whole rows of the spanned column range, within
// one chunk's height at a time, and picks the columns in memory: libhdf5
// then copies whole chunks, where a selection of scattered columns is an
// order of magnitude slower. The slab buffer is the only memory beyond dst.
// libhdf5 converts from the dataset's type if it differs from T.
func ReadRowColumns[T Number](d *Dataset, r0, r1 int, cols []int, dst []T) error {
	if len(d.dims) != 2 {
		return fmt.Errorf("read %s: columns of a %d-dimensional dataset", d.path, len(d.dims))
	}
	if !d.typ.Numeric() {
		return fmt.Errorf("read %s: %s is not numeric", d.path, d.typ)
	}
	if r0 < 0 || r1 < r0 || r1 > d.dims[0] {
		return fmt.Errorf("read %s: rows [%d, %d) outside [0, %d)", d.path, r0, r1, d.dims[0])
	}
	if len(dst) != (r1-r0)*len(cols) {
		panic(fmt.Sprintf("hdf5: %d values for %d rows × %d columns", len(dst), r1-r0, len(cols)))
	}
	for i, c := range cols {
		if c < 0 || c >= d.dims[1] || (i > 0 && c <= cols[i-1]) {
			return fmt.Errorf("read %s: columns must be increasing within [0, %d); got %d after %v", d.path, d.dims[1], c, cols[:i])
		}
	}
	if len(dst) == 0 {
		return nil
	}
	lo, width := cols[0], cols[len(cols)-1]-cols[0]+1
	height := slabRows
	if d.chunk != nil {
		height = d.chunk[0]
	}
	buf := make([]T, min(height, r1-r0)*width)
	enter()
	defer leave()
	for s := r0; s < r1; {
		// Slabs end on chunk boundaries, so each reads whole chunks
		// except at the ends of the range.
		h := min((s/height+1)*height, r1) - s
		slab := buf[:h*width]
		if err := d.transfer(false, kindOf[T]().native(), [][2][]int{{{s, lo}, {h, width}}}, []int{h, width}, unsafe.Pointer(&slab[0])); err != nil {
			return err
		}
		for i := 0; i < h; i++ {
			row, out := slab[i*width:(i+1)*width], dst[(s-r0+i)*len(cols):(s-r0+i+1)*len(cols)]
			for k, c := range cols {
				out[k] = row[c-lo]
			}
		}
		s += h
	}
	return nil
}

// slabRows is ReadColumns' slab height for datasets that are not chunked.
const slabRows = 4096

// checkBlock refuses blocks outside the dataset and panics on a buffer of
// the wrong length (a programmer error).
func (d *Dataset) checkBlock(offset, size []int, n int) error {
	if len(offset) != len(d.dims) || len(size) != len(d.dims) {
		return fmt.Errorf("write %s: block of rank %d in a dataset of rank %d", d.path, len(size), len(d.dims))
	}
	for i := range d.dims {
		if offset[i] < 0 || size[i] < 0 || offset[i]+size[i] > d.dims[i] {
			return fmt.Errorf("write %s: block at %v of %v lies outside the dataset's %v", d.path, offset, size, d.dims)
		}
	}
	if count(size) != n {
		panic(fmt.Sprintf("hdf5: %d values for a block of %v", n, size))
	}
	return nil
}

// transfer moves the union of blocks (offset, count pairs, disjoint and in
// row-major order) of the dataset between the file and buf, which holds a
// dense row-major array of memDims elements of memory type mem. The lock
// must be held.
func (d *Dataset) transfer(write bool, mem C.hid_t, blocks [][2][]int, memDims []int, buf unsafe.Pointer) error {
	op := "read"
	if write {
		op = "write"
	}
	space := C.H5Dget_space(d.id)
	if space < 0 {
		return lastError("%s %s", op, d.path)
	}
	defer closeID(space)
	start, cnt := make([]C.hsize_t, len(d.dims)), make([]C.hsize_t, len(d.dims))
	for b, blk := range blocks {
		for i := range d.dims {
			start[i], cnt[i] = C.hsize_t(blk[0][i]), C.hsize_t(blk[1][i])
		}
		how := C.H5S_seloper_t(C.H5S_SELECT_OR)
		if b == 0 {
			how = C.H5S_SELECT_SET
		}
		if C.H5Sselect_hyperslab(space, how, &start[0], nil, &cnt[0], nil) < 0 {
			return lastError("%s %s", op, d.path)
		}
	}
	md := make([]C.hsize_t, len(memDims))
	for i, v := range memDims {
		md[i] = C.hsize_t(v)
	}
	mspace := C.H5Screate_simple(C.int(len(md)), &md[0], nil)
	if mspace < 0 {
		return lastError("%s %s", op, d.path)
	}
	defer closeID(mspace)
	var rc C.herr_t
	if write {
		rc = C.H5Dwrite(d.id, mem, mspace, space, C.H5P_DEFAULT, buf)
	} else {
		rc = C.H5Dread(d.id, mem, mspace, space, C.H5P_DEFAULT, buf)
	}
	if rc < 0 {
		return lastError("%s %s", op, d.path)
	}
	return nil
}
