package zarr

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Names of the metadata files of zarr v2.
const (
	fileArray = ".zarray"
	fileGroup = ".zgroup"
	fileAttrs = ".zattrs"
)

// store is a zarr v2 directory store; element paths are slash-separated
// and relative to its root.
type store struct{ root string }

func (s store) file(elem, name string) string {
	return filepath.Join(s.root, filepath.FromSlash(elem), name)
}

func (s store) exists(elem, name string) bool {
	_, err := os.Stat(s.file(elem, name))
	return err == nil
}

// isArray and isGroup tell the kind of an element by its metadata file.
func (s store) isArray(elem string) bool { return s.exists(elem, fileArray) }
func (s store) isGroup(elem string) bool { return s.exists(elem, fileGroup) }

// has reports whether elem is an array or a group.
func (s store) has(elem string) bool { return s.isArray(elem) || s.isGroup(elem) }

// attrs reads an element's attributes; none is an empty map.
func (s store) attrs(elem string) (map[string]any, error) {
	b, err := os.ReadFile(s.file(elem, fileAttrs))
	if errors.Is(err, fs.ErrNotExist) {
		return map[string]any{}, nil
	}
	if err != nil {
		return nil, err
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, errors.New(elem + "/" + fileAttrs + ": " + err.Error())
	}
	if m == nil {
		m = map[string]any{}
	}
	return m, nil
}

// encoding returns an element's encoding-type attribute, or "".
func (s store) encoding(elem string) string {
	a, err := s.attrs(elem)
	if err != nil {
		return ""
	}
	enc, _ := a["encoding-type"].(string)
	return enc
}

// children lists the members of a group in name order. Every
// subdirectory is a member in zarr v2, so one without metadata is listed
// too, and reading it reports the missing file.
func (s store) children(elem string) ([]string, error) {
	ents, err := os.ReadDir(filepath.Join(s.root, filepath.FromSlash(elem)))
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range ents {
		if e.IsDir() && !strings.HasPrefix(e.Name(), ".") {
			out = append(out, e.Name())
		}
	}
	sort.Strings(out)
	return out, nil
}

// join appends a name to an element path.
func join(elem, name string) string {
	if elem == "" {
		return name
	}
	return elem + "/" + name
}

// IsStore reports whether dir looks like an AnnData zarr store: a zarr
// group whose attributes say encoding-type anndata or, for stores written
// before anndata 0.8 recorded encodings, one holding obs and var groups.
func IsStore(dir string) bool {
	s := store{root: dir}
	if !s.isGroup("") {
		return false
	}
	return s.encoding("") == "anndata" || (s.isGroup("obs") && s.isGroup("var"))
}
