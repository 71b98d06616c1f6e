package umap

import (
	"sync"
	"sync/atomic"
)

// parallelChunks calls fn(c) for every chunk c in [0, chunks) on up to
// threads goroutines. Callers make each chunk's work write only its own
// outputs, and fix the chunking independently of threads, so results do not
// depend on the number of goroutines.
func parallelChunks(threads, chunks int, fn func(c int)) {
	parallelWorkers(threads, chunks, func(_, c int) { fn(c) })
}

// parallelWorkers is parallelChunks that also passes fn the index of the
// goroutine (in [0, threads)) running the chunk, for per-goroutine scratch
// space that does not affect results.
func parallelWorkers(threads, chunks int, fn func(w, c int)) {
	if threads > chunks {
		threads = chunks
	}
	if threads <= 1 {
		for c := 0; c < chunks; c++ {
			fn(0, c)
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	work := func(w int) {
		for {
			c := int(next.Add(1) - 1)
			if c >= chunks {
				return
			}
			fn(w, c)
		}
	}
	wg.Add(threads - 1)
	for w := 1; w < threads; w++ {
		go func() {
			defer wg.Done()
			work(w)
		}()
	}
	work(0)
	wg.Wait()
}

// parallelRanges splits [0, n) into chunks of chunkSize (the last shorter)
// and calls fn(c, lo, hi) for each, as parallelChunks does.
func parallelRanges(threads, n, chunkSize int, fn func(c, lo, hi int)) {
	chunks := (n + chunkSize - 1) / chunkSize
	parallelChunks(threads, chunks, func(c int) {
		lo := c * chunkSize
		fn(c, lo, min(lo+chunkSize, n))
	})
}
