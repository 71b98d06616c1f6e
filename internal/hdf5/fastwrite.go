package hdf5

/*
#include "helpers.h"
*/
import "C"

import (
	"fmt"
	"unsafe"

	"github.com/velo-rna/velo/internal/parallel"
)

// writeChunks stores raw (the whole dataset, es bytes per element) by
// encoding chunks on all cores and writing them in chunk order with
// H5Dwrite_chunk, so the file is the same for any number of cores. It
// returns false, having done nothing, for layouts it does not handle.
func (d *Dataset) writeChunks(raw []byte, es int) (bool, error) {
	if !hostLittle || !d.typ.little || d.chunk == nil || len(d.dims) > 2 || len(d.filters) == 0 {
		return false, nil
	}
	level := -1
	for _, f := range d.filters {
		switch {
		case f.id == filterShuffle:
		case f.id == filterDeflate && len(f.cd) > 0:
			level = int(f.cd[0])
		default:
			return false, nil
		}
	}
	grid := newChunkGrid(d.dims, d.chunk)
	chunkBytes := grid.chunkElems() * es
	encoded := make([][]byte, grid.len())
	errs := make([]error, grid.len())
	parallel.For(grid.len(), 1, 0, func(k, _, _ int) {
		cur := make([]byte, chunkBytes)
		grid.gather(raw, cur, k, es)
		for _, f := range d.filters {
			switch f.id {
			case filterShuffle:
				out := make([]byte, chunkBytes)
				C.velo_shuffle((*C.uchar)(ptr(cur)), (*C.uchar)(ptr(out)), C.size_t(chunkBytes/es), C.size_t(es))
				cur = out
			case filterDeflate:
				out := make([]byte, int(C.velo_deflate_bound(C.size_t(len(cur)))))
				n := C.size_t(len(out))
				if rc := C.velo_deflate(ptr(cur), C.size_t(len(cur)), ptr(out), &n, C.int(level)); rc != 0 {
					errs[k] = fmt.Errorf("write %s: deflate failed (code %d)", d.path, int(rc))
					return
				}
				cur = out[:n]
			}
		}
		encoded[k] = cur
	})
	for _, err := range errs {
		if err != nil {
			return true, err
		}
	}
	enter()
	defer leave()
	offset := make([]C.hsize_t, len(d.dims))
	for k, buf := range encoded {
		for i, v := range grid.origin(k) {
			offset[i] = C.hsize_t(v)
		}
		if C.H5Dwrite_chunk(d.id, C.H5P_DEFAULT, 0, &offset[0], C.size_t(len(buf)), unsafe.Pointer(&buf[0])) < 0 {
			return true, lastError("write %s", d.path)
		}
	}
	return true, nil
}
