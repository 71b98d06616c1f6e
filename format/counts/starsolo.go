package counts

import (
	"fmt"
	"path/filepath"

	"github.com/velo-rna/velo/anndata"
	"github.com/velo-rna/velo/array"
	"github.com/velo-rna/velo/format/internal/names"
	"github.com/velo-rna/velo/format/mtx"
)

// starsoloDir finds the directory holding STARsolo Velocyto matrices at or
// below dir: dir itself, or Solo.out, Velocyto and then filtered (else raw)
// below it.
func starsoloDir(dir string) (string, bool) {
	for _, sub := range []string{"Solo.out", "Velocyto"} {
		if p := filepath.Join(dir, sub); isDir(p) {
			dir = p
		}
	}
	for _, sub := range []string{"filtered", "raw"} {
		if p := filepath.Join(dir, sub); isDir(p) && isStarsolo(p) {
			return p, true
		}
	}
	return dir, isStarsolo(dir)
}

// isStarsolo reports whether dir holds a barcode list, a feature list and
// either a spliced matrix or one three-valued matrix.mtx
// (a one-valued matrix.mtx is a Gene count matrix, not velocity counts).
func isStarsolo(dir string) bool {
	if _, ok := findFile(dir, "barcodes.tsv"); !ok {
		return false
	}
	if _, ok := findFile(dir, "features.tsv", "genes.tsv"); !ok {
		return false
	}
	if _, ok := findFile(dir, "spliced.mtx"); ok {
		return true // a missing unspliced.mtx is reported when reading
	}
	if p, ok := findFile(dir, "matrix.mtx"); ok {
		h, err := mtx.ReadHeader(p)
		return err == nil && h.ValueColumns == 3
	}
	return false
}

// ReadSTARsolo reads STARsolo --soloFeatures Velocyto output. dir may be the
// STAR output directory, Solo.out, Solo.out/Velocyto or the filtered/raw
// directory itself.
func ReadSTARsolo(dir string, opts Options) (*anndata.AnnData, error) {
	d, ok := starsoloDir(dir)
	if !ok {
		return nil, fmt.Errorf("%s: no STARsolo Velocyto output (barcodes.tsv, features.tsv and spliced.mtx/unspliced.mtx or a three-valued matrix.mtx)", dir)
	}
	opts.logf("reading STARsolo Velocyto counts from %s", d)
	bcPath, err := needFile(d, "barcodes.tsv")
	if err != nil {
		return nil, err
	}
	barcodes, err := readList(bcPath)
	if err != nil {
		return nil, err
	}
	if err := names.CheckUnique(barcodes, "barcode"); err != nil {
		return nil, fmt.Errorf("%s: %w", bcPath, err)
	}
	ftPath, err := needFile(d, "features.tsv", "genes.tsv")
	if err != nil {
		return nil, err
	}
	g, err := readFeatures(ftPath)
	if err != nil {
		return nil, err
	}

	layers := map[string]*array.CSR{}
	var paths []string
	var keys []string
	if _, ok := findFile(d, "spliced.mtx"); ok {
		for _, k := range []string{"spliced", "unspliced", "ambiguous"} {
			p, found := findFile(d, k+".mtx")
			if !found {
				if k == "ambiguous" {
					continue
				}
				return nil, fmt.Errorf("%s: missing %s.mtx (plain or .gz)", d, k)
			}
			paths, keys = append(paths, p), append(keys, k)
		}
		files, err := readMatrices(paths, true, opts)
		if err != nil {
			return nil, err
		}
		for i, f := range files {
			m, err := single(f, paths[i])
			if err != nil {
				return nil, err
			}
			layers[keys[i]] = m
		}
	} else {
		p, err := needFile(d, "matrix.mtx")
		if err != nil {
			return nil, err
		}
		f, err := mtx.Read(p, mtx.Options{Transpose: true, Threads: opts.Threads})
		if err != nil {
			return nil, err
		}
		if len(f.Values) != 3 {
			return nil, fmt.Errorf("%s: entries have %d value columns, want 3 (spliced, unspliced, ambiguous)", p, len(f.Values))
		}
		layers["spliced"], layers["unspliced"], layers["ambiguous"] = f.Values[0], f.Values[1], f.Values[2]
		paths, keys = []string{p, p, p}, []string{"spliced", "unspliced", "ambiguous"}
	}
	for i, k := range keys {
		if err := checkShape(layers[k], paths[i], len(barcodes), filepath.Base(bcPath), len(g.ids), filepath.Base(ftPath), "genes × cells"); err != nil {
			return nil, err
		}
	}
	return newAnnData(barcodes, g, layers), nil
}

// readFeatures reads features.tsv (id, name, type) or the older genes.tsv
// (id, name); a single column serves as both id and name.
func readFeatures(path string) (genes, error) {
	rows, err := readTable(path, 1)
	if err != nil {
		return genes{}, err
	}
	var g genes
	g.ids = make([]string, len(rows))
	g.names = make([]string, len(rows))
	hasType := len(rows) > 0
	for i, r := range rows {
		g.ids[i] = r[0]
		g.names[i] = r[0]
		if len(r) > 1 {
			g.names[i] = r[1]
		}
		hasType = hasType && len(r) > 2
	}
	if hasType {
		g.types = make([]string, len(rows))
		for i, r := range rows {
			g.types[i] = r[2]
		}
	}
	return g, nil
}
