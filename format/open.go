// Package format opens any spliced/unspliced count input velo understands,
// recognising its kind from the path: an .h5ad or .loom file (plain or
// gzipped), an AnnData zarr store, or the output directory of STARsolo
// (Velocyto), kallisto|bustools (lamanno or nac) or alevin-fry (USA mode).
// The readers themselves live in the subpackages h5ad, loom, zarr, counts
// and mtx.
package format

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/velo-rna/velo/anndata"
	"github.com/velo-rna/velo/format/counts"
	"github.com/velo-rna/velo/format/h5ad"
	"github.com/velo-rna/velo/format/loom"
	"github.com/velo-rna/velo/format/zarr"
	"github.com/velo-rna/velo/internal/hdf5"
)

// The kinds of input Kind reports.
const (
	KindH5AD      = "h5ad"
	KindLoom      = "loom"
	KindZarr      = "zarr"
	KindSTARsolo  = string(counts.STARsolo)
	KindKallisto  = string(counts.Kallisto)
	KindAlevinFry = string(counts.AlevinFry)
)

// OpenOptions controls Open. The zero value suits velocity analysis.
type OpenOptions struct {
	// AlevinCounts chooses alevin-fry's spliced layer: "S+A" (default) or
	// "S"; see counts.Options.
	AlevinCounts string
	// Threads bounds parsing goroutines (0 = GOMAXPROCS); results do not
	// depend on it.
	Threads int
	// Logf receives notes on what was read and choices made. Nil is silent.
	Logf func(format string, args ...any)
}

func (o OpenOptions) logf(format string, args ...any) {
	if o.Logf != nil {
		o.Logf(format, args...)
	}
}

// errNotRecognised is the message for anything Kind cannot place.
const errNotRecognised = "not a recognised input (expected .h5ad, .loom, an AnnData zarr store, a STARsolo Velocyto directory, a kallisto|bustools counts directory or an alevin-fry output directory)"

// hdf5Magic is the HDF5 file signature.
var hdf5Magic = []byte("\x89HDF\r\n\x1a\n")

// Kind reports what path holds: KindH5AD, KindLoom, KindZarr,
// KindSTARsolo, KindKallisto or KindAlevinFry. Files are recognised by
// extension (.h5ad, .loom, either with .gz) and, for other names, by
// content: an HDF5 file with /matrix and /row_attrs is a loom, another HDF5
// file an h5ad. Directories are recognised by the files counters write, or
// as a zarr store (see zarr.IsStore).
func Kind(path string) (string, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return "", err
	}
	if fi.IsDir() {
		if zarr.IsStore(path) {
			return KindZarr, nil
		}
		l, err := counts.Detect(path)
		if errors.Is(err, counts.ErrNoCounts) {
			return "", fmt.Errorf("%s: %s", path, errNotRecognised)
		}
		return string(l), err
	}
	head, gz, err := peek(path)
	if err != nil {
		return "", err
	}
	base := strings.ToLower(filepath.Base(path))
	if gz {
		base = strings.TrimSuffix(base, ".gz")
	}
	isHDF5 := bytes.HasPrefix(head, hdf5Magic)
	switch {
	case strings.HasSuffix(base, ".h5ad"), strings.HasSuffix(base, ".loom"):
		if !isHDF5 {
			return "", fmt.Errorf("%s: %w: the file is damaged or not what its name says", path, hdf5.ErrNotHDF5)
		}
		return strings.TrimPrefix(filepath.Ext(base), "."), nil
	case isHDF5 && !gz:
		return sniffHDF5(path)
	}
	return "", fmt.Errorf("%s: %s", path, errNotRecognised)
}

// peek returns the first bytes of a file, decompressed when it is gzip.
func peek(path string) ([]byte, bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, false, err
	}
	defer f.Close()
	br := bufio.NewReader(f)
	magic, _ := br.Peek(2)
	gz := len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b
	var r io.Reader = br
	if gz {
		z, err := gzip.NewReader(br)
		if err != nil {
			return nil, false, fmt.Errorf("%s: %w", path, err)
		}
		r = z
	}
	head := make([]byte, len(hdf5Magic))
	n, _ := io.ReadFull(r, head)
	return head[:n], gz, nil
}

// sniffHDF5 tells a loom from an h5ad by the loom's required objects.
func sniffHDF5(path string) (string, error) {
	f, err := hdf5.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	root, err := f.Root()
	if err != nil {
		return "", err
	}
	defer root.Close()
	if root.Has("matrix") && root.Has("row_attrs") && root.Has("col_attrs") {
		return KindLoom, nil
	}
	return KindH5AD, nil
}

// Open reads path, whatever its kind (see Kind). A gzipped .h5ad or .loom
// is first decompressed to a temporary file, since HDF5 needs random
// access.
func Open(path string, opts OpenOptions) (*anndata.AnnData, error) {
	kind, err := Kind(path)
	if err != nil {
		return nil, err
	}
	copts := counts.Options{AlevinCounts: opts.AlevinCounts, Threads: opts.Threads, Logf: opts.Logf}
	switch kind {
	case KindSTARsolo:
		return counts.ReadSTARsolo(path, copts)
	case KindKallisto:
		return counts.ReadKallisto(path, copts)
	case KindAlevinFry:
		return counts.ReadAlevinFry(path, copts)
	case KindZarr:
		return zarr.Read(path)
	}
	file, cleanup, err := plainCopy(path, kind, opts)
	if err != nil {
		return nil, err
	}
	defer cleanup()
	var a *anndata.AnnData
	if kind == KindLoom {
		a, err = loom.Read(file, loom.Options{Threads: opts.Threads})
	} else {
		a, err = h5ad.Read(file)
	}
	if err != nil && file != path {
		return nil, fmt.Errorf("%s (decompressed): %w", path, err)
	}
	return a, err
}

// plainCopy returns path itself, or for a gzipped file the path of a
// decompressed temporary copy and a function removing it.
func plainCopy(path, kind string, opts OpenOptions) (string, func(), error) {
	_, gz, err := peek(path)
	if err != nil || !gz {
		return path, func() {}, err
	}
	in, err := os.Open(path)
	if err != nil {
		return "", nil, err
	}
	defer in.Close()
	z, err := gzip.NewReader(in)
	if err != nil {
		return "", nil, fmt.Errorf("%s: %w", path, err)
	}
	tmp, err := os.CreateTemp("", "velo-*."+kind)
	if err != nil {
		return "", nil, err
	}
	remove := func() { os.Remove(tmp.Name()) }
	opts.logf("decompressing %s to %s", path, tmp.Name())
	if _, err := io.Copy(tmp, z); err != nil {
		tmp.Close()
		remove()
		return "", nil, fmt.Errorf("%s: decompressing: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		remove()
		return "", nil, err
	}
	return tmp.Name(), remove, nil
}
