package hdf5

import "testing"

// libhdf5's system-error messages carry a ctime timestamp, newline
// included; errors must still read as one line.
func TestOneLine(t *testing.T) {
	msg := "file write failed: time = Tue Nov 24 23:41:35 2026\n, filename = 'x.h5', errno = 28"
	want := "file write failed: time = Tue Nov 24 23:41:35 2026 , filename = 'x.h5', errno = 28"
	if got := oneLine(msg); got != want {
		t.Errorf("oneLine = %q, want %q", got, want)
	}
}
