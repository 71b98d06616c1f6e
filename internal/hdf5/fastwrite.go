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
	// Chunks are encoded and stored a batch at a time so that the encoded
	// copy never grows beyond about chunkBatch bytes.
	per := max(1, chunkBatch/chunkBytes)
	for first := 0; first < grid.len(); first += per {
		n := min(per, grid.len()-first)
		encoded := make([][]byte, n)
		errs := make([]error, n)
		parallel.For(n, 1, 0, func(i, _, _ int) {
			encoded[i], errs[i] = encodeChunk(d.filters, grid, raw, first+i, es, level)
		})
		for _, err := range errs {
			if err != nil {
				return true, fmt.Errorf("write %s: %w", d.path, err)
			}
		}
		if err := d.storeChunks(grid, first, encoded); err != nil {
			return true, err
		}
	}
	return true, nil
}

// encodeChunk gathers chunk k from raw and applies the filter pipeline.
func encodeChunk(fs []filter, grid chunkGrid, raw []byte, k, es, level int) ([]byte, error) {
	chunkBytes := grid.chunkElems() * es
	cur := make([]byte, chunkBytes)
	grid.gather(raw, cur, k, es)
	for _, f := range fs {
		switch f.id {
		case filterShuffle:
			out := make([]byte, chunkBytes)
			C.velo_shuffle((*C.uchar)(ptr(cur)), (*C.uchar)(ptr(out)), C.size_t(chunkBytes/es), C.size_t(es))
			cur = out
		case filterDeflate:
			out := make([]byte, int(C.velo_deflate_bound(C.size_t(len(cur)))))
			n := C.size_t(len(out))
			if rc := C.velo_deflate(ptr(cur), C.size_t(len(cur)), ptr(out), &n, C.int(level)); rc != 0 {
				return nil, fmt.Errorf("deflate failed (code %d)", int(rc))
			}
			cur = out[:n]
		}
	}
	return cur, nil
}

// storeChunks writes encoded chunks first, first+1, … with H5Dwrite_chunk.
func (d *Dataset) storeChunks(grid chunkGrid, first int, encoded [][]byte) error {
	enter()
	defer leave()
	offset := make([]C.hsize_t, len(d.dims))
	for i, buf := range encoded {
		for j, v := range grid.origin(first + i) {
			offset[j] = C.hsize_t(v)
		}
		if C.H5Dwrite_chunk(d.id, C.H5P_DEFAULT, 0, &offset[0], C.size_t(len(buf)), unsafe.Pointer(&buf[0])) < 0 {
			return lastError("write %s", d.path)
		}
	}
	return nil
}
