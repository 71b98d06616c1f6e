//go:build !linux

package main

// setMemoryLimit leaves the garbage collector's soft limit to GOMEMLIMIT:
// the machine's memory, for a default, is read on Linux only.
func setMemoryLimit() {}
