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

// fastInflate lets deflate chunks be decoded with libdeflate when the
// system has it (see velo_inflate); tests clear it to compare with zlib.
var fastInflate = true

// sink is where a read puts decoded elements. put stores src, whole
// elements of the file's kind, at element index at of the destination,
// converting them when the destination's type differs. direct is the
// destination's bytes when it has the file's element type (chunks covering
// a contiguous span of it are then decoded straight into place), else nil.
type sink struct {
	direct []byte
	put    func(at int, src []byte)
}

// chunkBatch is the stored size of the chunks fetched (or encoded) at once.
// A read decodes one batch on all cores while the next is fetched, so it
// needs a few batches and a few chunks of memory beyond its destination,
// whatever the dataset's size; a write likewise. A variable so that tests
// can force many batches on small data.
var chunkBatch = 16 << 20

// readChunks reads every element (es bytes each, file byte order) into s by
// fetching raw chunks under the lock and decoding them on all cores. It
// returns false, having done nothing, when the dataset is not a fully
// allocated 1-D or 2-D chunked dataset with a deflate/shuffle/LZF pipeline
// in this machine's byte order; the caller then uses H5Dread.
func (d *Dataset) readChunks(s sink, es int) (bool, error) {
	if !hostLittle || !d.typ.little || d.chunk == nil || len(d.dims) > 2 || !fastFilters(d.filters) || d.n <= 0 {
		return false, nil
	}
	grid := newChunkGrid(d.dims, d.chunk)
	if ok, err := d.allStored(grid); !ok || err != nil {
		return ok, err
	}
	batches := make(chan chunkBatchData) // unbuffered: one batch decodes while the next is fetched
	stop := make(chan struct{})
	free := make(chan []byte, 2) // batch buffers handed back for reuse
	go d.fetchBatches(grid, batches, stop, free)
	defer func() {
		close(stop)
		for range batches { // wait until the fetcher no longer uses d
		}
	}()
	chunkBytes := grid.chunkElems() * es
	scratch := sync.Pool{New: func() any { b := make([]byte, chunkBytes); return &b }}
	for b := range batches {
		if b.err != nil {
			return true, b.err
		}
		errs := make([]error, len(b.raw))
		parallel.For(len(b.raw), 1, 0, func(i, _, _ int) {
			k := b.first + i
			var direct []byte
			if s.direct != nil {
				direct = grid.contiguous(s.direct, k, es)
			}
			x, y := scratch.Get().(*[]byte), scratch.Get().(*[]byte)
			defer scratch.Put(x)
			defer scratch.Put(y)
			out, err := decodeChunk(b.raw[i], b.masks[i], d.filters, es, [2][]byte{*x, *y}, direct)
			if err != nil {
				errs[i] = fmt.Errorf("read %s: chunk %d: %w", d.path, k, err)
				return
			}
			if direct == nil || &out[0] != &direct[0] {
				grid.runs(k, func(at, off, n int) { s.put(at, out[off*es:(off+n)*es]) })
			}
		})
		for _, err := range errs {
			if err != nil {
				return true, err
			}
		}
		select {
		case free <- b.buf:
		default:
		}
	}
	return true, nil
}

// allStored reports whether every chunk of the dataset was written; when
// some was not, libhdf5 supplies fill values, which H5Dread handles.
func (d *Dataset) allStored(grid chunkGrid) (bool, error) {
	enter()
	defer leave()
	space := C.H5Dget_space(d.id)
	if space < 0 {
		return false, lastError("read %s", d.path)
	}
	defer closeID(space)
	var stored C.hsize_t
	if C.H5Dget_num_chunks(d.id, space, &stored) < 0 {
		return false, lastError("read %s", d.path)
	}
	return int(stored) == grid.len(), nil
}

// chunkBatchData holds the stored bytes and filter masks of chunks first,
// first+1, …, or the error that stopped fetching them.
type chunkBatchData struct {
	first int
	buf   []byte // holds raw
	raw   [][]byte
	masks []uint32
	err   error
}

// fetchBatches sends the dataset's chunks in batches of about chunkBatch
// stored bytes, in chunk order, until done or stopped, then closes out.
// Buffers of decoded batches come back through free, so a read allocates
// only a few batch buffers however many batches there are.
func (d *Dataset) fetchBatches(grid chunkGrid, out chan<- chunkBatchData, stop <-chan struct{}, free <-chan []byte) {
	defer close(out)
	for first := 0; first < grid.len(); {
		var buf []byte
		select {
		case buf = <-free:
		default:
		}
		b := d.fetchBatch(grid, first, buf)
		select {
		case out <- b:
		case <-stop:
			return
		}
		if b.err != nil {
			return
		}
		first += len(b.raw)
	}
}

// fetchBatch reads the stored bytes of chunks first, first+1, … up to about
// chunkBatch bytes (at least one chunk), into buf when it is large enough.
func (d *Dataset) fetchBatch(grid chunkGrid, first int, buf []byte) chunkBatchData {
	enter()
	defer leave()
	b := chunkBatchData{first: first}
	var offsets [][]C.hsize_t
	var sizes []int
	total := 0
	for k := first; k < grid.len() && (k == first || total < chunkBatch); k++ {
		o := grid.origin(k)
		off := make([]C.hsize_t, len(o))
		for i, v := range o {
			off[i] = C.hsize_t(v)
		}
		var size C.hsize_t
		if C.H5Dget_chunk_storage_size(d.id, &off[0], &size) < 0 {
			b.err = lastError("read %s", d.path)
			return b
		}
		offsets = append(offsets, off)
		sizes = append(sizes, int(size))
		total += int(size)
	}
	if cap(buf) < total+1 {
		buf = make([]byte, total+1)
	}
	b.buf = buf[:total+1]
	b.raw = make([][]byte, len(sizes))
	b.masks = make([]uint32, len(sizes))
	at := 0
	for i, size := range sizes {
		b.raw[i] = buf[at : at+size : at+size]
		var mask C.uint32_t
		if size > 0 && C.H5Dread_chunk(d.id, C.H5P_DEFAULT, &offsets[i][0], &mask, unsafe.Pointer(&buf[at])) < 0 {
			b.err = lastError("read %s", d.path)
			return b
		}
		b.masks[i] = uint32(mask)
		at += size
	}
	return b
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
			fast := C.int(0)
			if fastInflate {
				fast = 1
			}
			rc = C.velo_inflate(ptr(cur), C.size_t(len(cur)), ptr(out), C.size_t(chunkBytes), fast)
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
