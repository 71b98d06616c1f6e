package velocity

import "sync"

// buffers keeps Fit's gene-major scratch from one block to the next:
// blocks are large (268 MB per layer at 100 000 cells) and alike in size,
// and fresh memory of that size costs page faults and garbage collections
// on every block.
type buffers struct {
	mu   sync.Mutex
	free [][]float32
}

// get returns a buffer of length n with arbitrary contents: the smallest
// kept one that is large enough, or a new one.
func (b *buffers) get(n int) []float32 {
	b.mu.Lock()
	defer b.mu.Unlock()
	best := -1
	for k, f := range b.free {
		if cap(f) >= n && (best < 0 || cap(f) < cap(b.free[best])) {
			best = k
		}
	}
	if best < 0 {
		return make([]float32, n)
	}
	f := b.free[best]
	b.free = append(b.free[:best], b.free[best+1:]...)
	return f[:n]
}

// put keeps bufs for later calls of get.
func (b *buffers) put(bufs ...[]float32) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, f := range bufs {
		if f != nil {
			b.free = append(b.free, f)
		}
	}
}

// release drops the kept buffers once no more blocks will come.
func (b *buffers) release() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.free = nil
}
