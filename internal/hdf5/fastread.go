package hdf5

/*
#include "helpers.h"
*/
import "C"

import (
	"fmt"
	"sync"
	"unsafe"

	"github.com/velo-rna/velo/internal/parallel"
)

// fastFilters reports whether velo can decode the pipeline itself.
func fastFilters(fs []filter) bool {
	for _, f := range fs {
		switch f.id {
		case filterDeflate, filterShuffle, filterLZF:
		default:
			return false
		}
	}
	return true
}

// readChunks fills dst with the dataset's elements (es bytes each, file byte
// order) by fetching raw chunks under the lock and decoding them on all
// cores. It returns false, having done nothing, when the dataset is not a
// fully allocated 1-D or 2-D chunked dataset with a deflate/shuffle/LZF
// pipeline in this machine's byte order; the caller then uses H5Dread.
func (d *Dataset) readChunks(dst []byte, es int) (bool, error) {
	if !hostLittle || !d.typ.little || d.chunk == nil || len(d.dims) > 2 || !fastFilters(d.filters) || len(dst) == 0 {
		return false, nil
	}
	grid := newChunkGrid(d.dims, d.chunk)
	raw, masks, ok, err := d.fetchChunks(grid)
	if !ok || err != nil {
		return ok, err
	}
	chunkBytes := grid.chunkElems() * es
	errs := make([]error, grid.len())
	scratch := sync.Pool{New: func() any { b := make([]byte, chunkBytes); return &b }}
	parallel.For(grid.len(), 1, 0, func(k, _, _ int) {
		direct := grid.contiguous(dst, k, es)
		a, b := scratch.Get().(*[]byte), scratch.Get().(*[]byte)
		defer scratch.Put(a)
		defer scratch.Put(b)
		out, err := decodeChunk(raw[k], masks[k], d.filters, es, [2][]byte{*a, *b}, direct)
		if err != nil {
			errs[k] = fmt.Errorf("read %s: chunk %d: %w", d.path, k, err)
			return
		}
		if direct == nil || &out[0] != &direct[0] {
			grid.scatter(dst, out, k, es)
		}
	})
	for _, err := range errs {
		if err != nil {
			return true, err
		}
	}
	return true, nil
}

// fetchChunks reads every chunk's stored bytes and filter mask. It returns
// ok=false when some chunk was never written (libhdf5 then supplies fill
// values, which H5Dread handles).
func (d *Dataset) fetchChunks(grid chunkGrid) (raw [][]byte, masks []uint32, ok bool, err error) {
	enter()
	defer leave()
	space := C.H5Dget_space(d.id)
	if space < 0 {
		return nil, nil, false, lastError("read %s", d.path)
	}
	defer closeID(space)
	var stored C.hsize_t
	if C.H5Dget_num_chunks(d.id, space, &stored) < 0 {
		return nil, nil, false, lastError("read %s", d.path)
	}
	n := grid.len()
	if int(stored) != n {
		return nil, nil, false, nil
	}
	offsets := make([][]C.hsize_t, n)
	sizes := make([]int, n)
	total := 0
	for k := range offsets {
		o := grid.origin(k)
		offsets[k] = make([]C.hsize_t, len(o))
		for i, v := range o {
			offsets[k][i] = C.hsize_t(v)
		}
		var size C.hsize_t
		if C.H5Dget_chunk_storage_size(d.id, &offsets[k][0], &size) < 0 {
			return nil, nil, false, lastError("read %s", d.path)
		}
		sizes[k] = int(size)
		total += int(size)
	}
	buf := make([]byte, total+1)
	raw = make([][]byte, n)
	masks = make([]uint32, n)
	at := 0
	for k := range raw {
		raw[k] = buf[at : at+sizes[k] : at+sizes[k]]
		var mask C.uint32_t
		if sizes[k] > 0 && C.H5Dread_chunk(d.id, C.H5P_DEFAULT, &offsets[k][0], &mask, unsafe.Pointer(&buf[at])) < 0 {
			return nil, nil, false, lastError("read %s", d.path)
		}
		masks[k] = uint32(mask)
		at += sizes[k]
	}
	return raw, masks, true, nil
}

// decodeChunk undoes the filters not masked out for this chunk, in reverse
// pipeline order, and returns the chunk's raw bytes. Intermediate results
// go to the two scratch buffers (each a full chunk long); the last stage
// writes straight into direct when the chunk occupies a contiguous span of
// the destination.
func decodeChunk(stored []byte, mask uint32, fs []filter, es int, scratch [2][]byte, direct []byte) ([]byte, error) {
	chunkBytes := len(scratch[0])
	if len(stored) == 0 {
		return nil, fmt.Errorf("chunk is empty")
	}
	last := -1 // the last stage to run is the first unmasked filter
	for i := range fs {
		if mask&(1<<uint(i)) == 0 {
			last = i
			break
		}
	}
	cur := stored
	for i := len(fs) - 1; i >= 0; i-- {
		if mask&(1<<uint(i)) != 0 {
			continue
		}
		out := scratch[0]
		if &cur[0] == &out[0] {
			out = scratch[1]
		}
		if i == last && direct != nil {
			out = direct
		}
		var rc C.int
		switch fs[i].id {
		case filterDeflate:
			rc = C.velo_inflate(ptr(cur), C.size_t(len(cur)), ptr(out), C.size_t(chunkBytes))
		case filterLZF:
			rc = C.velo_lzf_decompress(ptr(cur), C.size_t(len(cur)), ptr(out), C.size_t(chunkBytes))
		case filterShuffle:
			if len(cur) != chunkBytes {
				return nil, fmt.Errorf("shuffled chunk has %d bytes, want %d", len(cur), chunkBytes)
			}
			C.velo_unshuffle((*C.uchar)(ptr(cur)), (*C.uchar)(ptr(out)), C.size_t(chunkBytes/es), C.size_t(es))
		}
		if rc != 0 {
			return nil, fmt.Errorf("corrupt compressed data (filter %d, code %d)", fs[i].id, int(rc))
		}
		cur = out
	}
	if len(cur) != chunkBytes {
		return nil, fmt.Errorf("chunk has %d bytes, want %d", len(cur), chunkBytes)
	}
	return cur, nil
}
