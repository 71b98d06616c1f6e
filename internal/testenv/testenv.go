// Package testenv locates the shared real-data directory used by tests that
// compare velo with scVelo's reference outputs.
//
// Set VELO_TESTDATA to the directory holding data/ and reference/. Without it
// those tests skip with a message; with it set to a missing directory they fail,
// so a continuous-integration run cannot pass by silently skipping them.
package testenv

import (
	"os"
	"path/filepath"
	"testing"
)

// EnvVar names the environment variable that points at the shared data.
const EnvVar = "VELO_TESTDATA"

// Shared returns the shared data directory, skipping the test when EnvVar is
// unset and failing it when EnvVar names a directory that does not exist.
func Shared(t testing.TB) string {
	t.Helper()
	dir := os.Getenv(EnvVar)
	if dir == "" {
		t.Skipf("real-data test skipped: set %s to the directory holding data/ and reference/", EnvVar)
	}
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		t.Fatalf("%s=%q is not a directory", EnvVar, dir)
	}
	return dir
}

// Path returns the path of a file below the shared directory, failing the test
// when it is missing.
func Path(t testing.TB, parts ...string) string {
	t.Helper()
	p := filepath.Join(append([]string{Shared(t)}, parts...)...)
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("shared test file missing: %v", err)
	}
	return p
}
