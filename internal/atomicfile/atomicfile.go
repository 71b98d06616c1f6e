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
func Write(path string, fill func(tmp string) error) error {
	p, err := Create(path)
	if err != nil {
		return err
	}
	if err := fill(p.Tmp()); err != nil {
		p.Discard()
		return err
	}
	return p.Commit()
}

// Pending is a file under construction: an empty temporary file next to its
// destination, created by Create, that Commit renames into place and Discard
// removes. Write is Create, fill, Commit for content produced in one call;
// Pending serves writers that produce it over a longer time.
type Pending struct {
	path, tmp string
	done      bool
}

// Create makes an empty temporary file in path's directory (so that the
// final rename cannot cross file systems) and returns it. Nothing appears at
// path until Commit.
func Create(path string) (*Pending, error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return nil, fmt.Errorf("create temporary file for %s: %w", path, err)
	}
	p := &Pending{path: path, tmp: f.Name()}
	if err := f.Close(); err != nil {
		os.Remove(p.tmp)
		return nil, err
	}
	return p, nil
}

// Tmp returns the temporary file's path, for the writer to fill.
func (p *Pending) Tmp() string { return p.tmp }

// Commit gives the temporary file the permissions of the file it replaces,
// or 0644, and renames it to the destination. On failure the temporary file
// is removed and the destination left untouched. Commit and Discard after a
// Commit or a Discard do nothing.
func (p *Pending) Commit() (err error) {
	if p.done {
		return nil
	}
	p.done = true
	defer func() {
		if err != nil {
			os.Remove(p.tmp)
		}
	}()
	mode := os.FileMode(0o644)
	if fi, statErr := os.Stat(p.path); statErr == nil {
		if !fi.Mode().IsRegular() {
			return fmt.Errorf("%s exists and is not a regular file", p.path)
		}
		mode = fi.Mode().Perm()
	} else if !errors.Is(statErr, os.ErrNotExist) {
		return statErr
	}
	if err := os.Chmod(p.tmp, mode); err != nil {
		return err
	}
	return os.Rename(p.tmp, p.path)
}

// Discard removes the temporary file unless the file was committed or
// discarded already.
func (p *Pending) Discard() error {
	if p.done {
		return nil
	}
	p.done = true
	if err := os.Remove(p.tmp); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return nil
}
