//go:build !linux

package main

// setMemoryLimit leaves the garbage collector's defaults (GOMEMLIMIT still
// applies): the machine's memory is read on Linux only.
func setMemoryLimit() {}
