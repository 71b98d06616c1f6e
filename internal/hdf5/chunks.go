package hdf5

import "unsafe"

// hostLittle reports whether this machine stores numbers little-endian: the
// parallel paths move raw file bytes, so they run only when file and memory
// byte orders agree.
var hostLittle = func() bool {
	x := uint16(1)
	return *(*byte)(unsafe.Pointer(&x)) == 1
}()

// chunkGrid enumerates the chunks of a 1-D or 2-D dataset in row-major
// order.
type chunkGrid struct {
	dims, chunk []int
	counts      []int // chunks along each dimension
}

func newChunkGrid(dims, chunk []int) chunkGrid {
	g := chunkGrid{dims: dims, chunk: chunk, counts: make([]int, len(dims))}
	for i := range dims {
		g.counts[i] = (dims[i] + chunk[i] - 1) / chunk[i]
	}
	return g
}

func (g chunkGrid) len() int {
	n := 1
	for _, c := range g.counts {
		n *= c
	}
	return n
}

// origin returns the element coordinates of chunk k.
func (g chunkGrid) origin(k int) []int {
	o := make([]int, len(g.dims))
	for i := len(g.dims) - 1; i >= 0; i-- {
		o[i] = (k % g.counts[i]) * g.chunk[i]
		k /= g.counts[i]
	}
	return o
}

// contiguous returns the span of data chunk k covers when that span is one
// contiguous run of full chunk size (an interior 1-D chunk, or a 2-D chunk
// spanning whole rows), or nil.
func (g chunkGrid) contiguous(data []byte, k, es int) []byte {
	o := g.origin(k)
	if o[0]+g.chunk[0] > g.dims[0] || (len(g.dims) == 2 && g.chunk[1] != g.dims[1]) {
		return nil
	}
	at := o[0] * es
	if len(g.dims) == 2 {
		at *= g.dims[1]
	}
	n := g.chunkElems() * es
	return data[at : at+n : at+n]
}

func (g chunkGrid) chunkElems() int {
	n := 1
	for _, c := range g.chunk {
		n *= c
	}
	return n
}

// runs calls fn for every run of consecutive elements that chunk k shares
// with the dataset: at is the run's first element in the dataset (row-major
// order), off its position in the chunk buffer (full chunk dimensions), and
// n its length.
func (g chunkGrid) runs(k int, fn func(at, off, n int)) {
	o := g.origin(k)
	if len(g.dims) == 1 {
		fn(o[0], 0, min(g.chunk[0], g.dims[0]-o[0]))
		return
	}
	rows := min(g.chunk[0], g.dims[0]-o[0])
	width := min(g.chunk[1], g.dims[1]-o[1])
	for r := 0; r < rows; r++ {
		fn((o[0]+r)*g.dims[1]+o[1], r*g.chunk[1], width)
	}
}

// gather fills a chunk buffer from the whole dataset src (row-major, es
// bytes per element), zero-padding the parts outside the dataset.
func (g chunkGrid) gather(src, chunk []byte, k, es int) {
	clear(chunk)
	g.runs(k, func(at, off, n int) {
		copy(chunk[off*es:(off+n)*es], src[at*es:(at+n)*es])
	})
}

// ptr returns the address of a byte slice's first element, or nil when it
// is empty, for passing to C.
func ptr(b []byte) unsafe.Pointer {
	if len(b) == 0 {
		return nil
	}
	return unsafe.Pointer(&b[0])
}
