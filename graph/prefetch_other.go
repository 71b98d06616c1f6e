//go:build !amd64 || purego

package graph

// prefetchBlock is a no-op where velo has no assembly: hardware
// prefetchers alone then fetch the rows.
func prefetchBlock(*float32, int) {}
