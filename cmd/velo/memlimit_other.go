//go:build !linux

package main

import (
	"os"
	"runtime/debug"
)

// setMemoryLimit starts a collection when the heap has grown by a quarter
// unless GOGC is set (see the Linux version); the machine's memory, for a
// default soft limit, is read on Linux only.
func setMemoryLimit() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(25)
	}
}
