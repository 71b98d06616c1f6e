package main

import (
	"os"
	"runtime/debug"
	"syscall"
)

// setMemoryLimit gives the garbage collector a soft limit of two thirds of
// the machine's memory unless GOMEMLIMIT is set, so that collections come
// sooner as the limit nears.
func setMemoryLimit() {
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
