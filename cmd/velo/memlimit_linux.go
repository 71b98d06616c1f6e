package main

import (
	"os"
	"runtime/debug"
	"syscall"
)

// setMemoryLimit gives the garbage collector a soft limit of 60% of the
// machine's memory unless GOMEMLIMIT is set. Without a limit the heap of a
// large run may grow to twice its live data before it is collected; with
// it, collections come sooner as the limit nears, and the peak stays close
// to what the data need.
func setMemoryLimit() {
	if os.Getenv("GOMEMLIMIT") != "" {
		return
	}
	var si syscall.Sysinfo_t
	if err := syscall.Sysinfo(&si); err != nil || si.Totalram == 0 {
		return
	}
	total := int64(si.Totalram) * int64(si.Unit)
	debug.SetMemoryLimit(total / 10 * 6)
}
