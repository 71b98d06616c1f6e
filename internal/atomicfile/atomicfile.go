// Package atomicfile replaces files so that no reader ever sees a partial
// one: content goes to a temporary file in the destination's directory,
// which is renamed over the destination only once it is complete.
package atomicfile

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// Write calls fill with the path of a fresh temporary file next to path and,
// when fill succeeds, renames it to path. On any failure the temporary file
// is removed and path is left untouched.
//
// The new file takes the permissions of the file it replaces, or 0644. Write
// does not fsync: it guards against failed and interrupted writes, not
// against power loss.
func Write(path string, fill func(tmp string) error) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return fmt.Errorf("create temporary file for %s: %w", path, err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			os.Remove(tmp)
		}
	}()
	if err := f.Close(); err != nil {
		return err
	}
	if err := fill(tmp); err != nil {
		return err
	}
	mode := os.FileMode(0o644)
	if fi, statErr := os.Stat(path); statErr == nil {
		if !fi.Mode().IsRegular() {
			return fmt.Errorf("%s exists and is not a regular file", path)
		}
		mode = fi.Mode().Perm()
	} else if !errors.Is(statErr, os.ErrNotExist) {
		return statErr
	}
	if err := os.Chmod(tmp, mode); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
