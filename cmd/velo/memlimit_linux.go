package main

import (
	"os"
	"runtime/debug"
	"syscall"
)

// setMemoryLimit tunes the garbage collector for velo's heap, which is
// mostly a few huge arrays without pointers: collecting is cheap, while
// Go's default lets the heap grow to twice its live data between
// collections, which at a million cells is several gigabytes of garbage.
// Unless GOGC is set, a collection starts when the heap has grown by a
// quarter; unless GOMEMLIMIT is set, the soft limit is two thirds of the
// machine's memory, so collections come sooner as it nears.
func setMemoryLimit() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(25)
	}
	if os.Getenv("GOMEMLIMIT") != "" {
		return
	}
	var si syscall.Sysinfo_t
	if err := syscall.Sysinfo(&si); err != nil || si.Totalram == 0 {
		return
	}
	total := int64(si.Totalram) * int64(si.Unit)
	debug.SetMemoryLimit(total / 3 * 2)
}
