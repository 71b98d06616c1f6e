// Package parallel runs index ranges on a fixed number of goroutines.
//
// Work is split into chunks whose boundaries depend only on the problem size
// and the chunk size, never on the number of threads, so a computation that
// writes each index's result in place (or merges per-chunk results in chunk
// order) gives the same bits whatever the thread count.
package parallel

import (
	"runtime"
	"sync"
)

// Threads resolves a requested thread count: values below 1 mean
// runtime.GOMAXPROCS(0).
func Threads(n int) int {
	if n < 1 {
		return runtime.GOMAXPROCS(0)
	}
	return n
}

// Chunks returns the number of chunks of the given size needed to cover n.
func Chunks(n, chunk int) int {
	if chunk < 1 {
		panic("parallel: chunk size must be positive")
	}
	return (n + chunk - 1) / chunk
}

// For calls fn(c, lo, hi) for every chunk c = [lo, hi) of [0, n) of the given
// size, on up to threads goroutines (0 = GOMAXPROCS). Chunks are handed out
// in increasing order; fn must only write state owned by its chunk.
func For(n, chunk, threads int, fn func(c, lo, hi int)) {
	nc := Chunks(n, chunk)
	t := Threads(threads)
	if t > nc {
		t = nc
	}
	if t <= 1 {
		for c := 0; c < nc; c++ {
			lo := c * chunk
			fn(c, lo, min(lo+chunk, n))
		}
		return
	}
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		next int
	)
	for w := 0; w < t; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				mu.Lock()
				c := next
				next++
				mu.Unlock()
				if c >= nc {
					return
				}
				lo := c * chunk
				fn(c, lo, min(lo+chunk, n))
			}
		}()
	}
	wg.Wait()
}
