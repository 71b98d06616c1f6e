package counts

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/velo-rna/velo/anndata"
	"github.com/velo-rna/velo/array"
	"github.com/velo-rna/velo/format/internal/names"
)

// kbLayer is one kallisto|bustools count matrix and the layer it fills.
type kbLayer struct {
	layer string // AnnData layer
	stem  string // file name without .mtx
}

// kbLayouts are the layer sets kb writes: lamanno, then nac.
var kbLayouts = [][]kbLayer{
	{{"spliced", "spliced"}, {"unspliced", "unspliced"}},
	{{"spliced", "cells_x_genes.mature"}, {"unspliced", "cells_x_genes.nascent"}, {"ambiguous", "cells_x_genes.ambiguous"}},
}

// kallistoDir finds the directory holding kb velocity matrices: dir itself,
// or its counts_filtered (else counts_unfiltered) subdirectory.
func kallistoDir(dir string) (string, []kbLayer, bool) {
	for _, sub := range []string{"counts_filtered", "counts_unfiltered", ""} {
		d := filepath.Join(dir, sub)
		if l, ok := kbLayout(d); ok {
			return d, l, true
		}
	}
	return dir, nil, false
}

// kbLayout returns the layers present in d (the optional ambiguous layer
// only when its files exist).
func kbLayout(d string) ([]kbLayer, bool) {
	for _, layout := range kbLayouts {
		var out []kbLayer
		for i, l := range layout {
			if _, ok := findFile(d, l.stem+".mtx"); ok && hasKBLists(d, l.stem) {
				out = append(out, l)
			} else if i < 2 {
				out = nil
				break
			}
		}
		if out != nil {
			return out, true
		}
	}
	return nil, false
}

// hasKBLists reports whether the barcode and gene lists of a kb matrix
// exist; they tell kb output from STARsolo's, whose matrices share names.
func hasKBLists(d, stem string) bool {
	_, b := kbSide(d, stem, ".barcodes.txt")
	_, g := kbSide(d, stem, ".genes.txt")
	return b && g
}

// kbSide finds a companion list of a matrix: stem.suffix, else the same
// with the last dotted part of stem removed (cells_x_genes.mature →
// cells_x_genes), where nac keeps the lists its matrices share.
func kbSide(d, stem, suffix string) (string, bool) {
	if p, ok := findFile(d, stem+suffix); ok {
		return p, true
	}
	if i := strings.LastIndexByte(stem, '.'); i > 0 {
		return findFile(d, stem[:i]+suffix)
	}
	return "", false
}

// kbPart is one matrix with its barcode and gene lists.
type kbPart struct {
	layer    string
	path     string
	m        *array.CSR
	barcodes []string
	bcPath   string
	g        genes
	gPath    string
}

// ReadKallisto reads kallisto|bustools velocity counts (lamanno or nac
// workflow). dir may be kb's output directory or a counts directory.
//
// Each matrix comes with its own barcode and gene lists. When they differ
// between matrices, the matrices are aligned by name on the barcodes and
// genes they all share (kb's own conversion to AnnData does the same), in
// the order of the spliced matrix, and Logf says how many were dropped.
func ReadKallisto(dir string, opts Options) (*anndata.AnnData, error) {
	d, layout, ok := kallistoDir(dir)
	if !ok {
		return nil, fmt.Errorf("%s: no kallisto|bustools velocity counts (spliced.mtx and unspliced.mtx, or cells_x_genes.mature.mtx and cells_x_genes.nascent.mtx)", dir)
	}
	opts.logf("reading kallisto|bustools counts from %s", d)
	parts := make([]*kbPart, len(layout))
	paths := make([]string, len(layout))
	for i, l := range layout {
		p := &kbPart{layer: l.layer}
		p.path, _ = findFile(d, l.stem+".mtx")
		var ok bool
		if p.bcPath, ok = kbSide(d, l.stem, ".barcodes.txt"); !ok {
			return nil, fmt.Errorf("%s: missing the barcode list %s.barcodes.txt for %s", d, l.stem, filepath.Base(p.path))
		}
		if p.gPath, ok = kbSide(d, l.stem, ".genes.txt"); !ok {
			return nil, fmt.Errorf("%s: missing the gene list %s.genes.txt for %s", d, l.stem, filepath.Base(p.path))
		}
		var err error
		if p.barcodes, err = readList(p.bcPath); err != nil {
			return nil, err
		}
		if err := names.CheckUnique(p.barcodes, "barcode"); err != nil {
			return nil, fmt.Errorf("%s: %w", p.bcPath, err)
		}
		if p.g.ids, err = readList(p.gPath); err != nil {
			return nil, err
		}
		if np, ok := kbSide(d, l.stem, ".genes.names.txt"); ok {
			if p.g.names, err = readList(np); err != nil {
				return nil, err
			}
			if len(p.g.names) != len(p.g.ids) {
				return nil, fmt.Errorf("%s lists %d names for the %d genes of %s", np, len(p.g.names), len(p.g.ids), p.gPath)
			}
		}
		parts[i], paths[i] = p, p.path
	}
	files, err := readMatrices(paths, false, opts)
	if err != nil {
		return nil, err
	}
	for i, p := range parts {
		if p.m, err = single(files[i], p.path); err != nil {
			return nil, err
		}
		if err := checkShape(p.m, p.path, len(p.barcodes), filepath.Base(p.bcPath), len(p.g.ids), filepath.Base(p.gPath), "cells × genes"); err != nil {
			return nil, err
		}
	}
	if err := alignParts(parts, opts); err != nil {
		return nil, err
	}
	layers := map[string]*array.CSR{}
	for _, p := range parts {
		layers[p.layer] = p.m
	}
	return newAnnData(parts[0].barcodes, parts[0].g, layers), nil
}

// alignParts restricts every part to the barcodes and genes all of them
// list, in the first part's order, when the lists differ.
func alignParts(parts []*kbPart, opts Options) error {
	first := parts[0]
	sameCells, sameGenes := true, true
	for _, p := range parts[1:] {
		sameCells = sameCells && slices.Equal(p.barcodes, first.barcodes)
		sameGenes = sameGenes && slices.Equal(p.g.ids, first.g.ids)
	}
	if sameCells && sameGenes {
		return nil
	}
	if !sameGenes {
		for _, p := range parts {
			if err := names.CheckUnique(p.g.ids, "gene id"); err != nil {
				return fmt.Errorf("%s: %w; cannot align the matrices by gene", p.gPath, err)
			}
		}
	}
	cells := shared(parts, func(p *kbPart) []string { return p.barcodes })
	geneIDs := shared(parts, func(p *kbPart) []string { return p.g.ids })
	if len(cells) == 0 || len(geneIDs) == 0 {
		return fmt.Errorf("%s and %s share %d barcodes and %d genes: nothing to align",
			first.path, parts[1].path, len(cells), len(geneIDs))
	}
	for _, p := range parts {
		opts.logf("%s: keeping %d of %d barcodes and %d of %d genes shared by all matrices",
			p.path, len(cells), len(p.barcodes), len(geneIDs), len(p.g.ids))
	}
	for _, p := range parts {
		rowPos := positions(p.barcodes, cells)
		colPos := positions(p.g.ids, geneIDs)
		p.m = reindex(p.m, rowPos, colPos)
		p.barcodes = cells
		p.g = subsetGenes(p.g, colPos)
	}
	return nil
}

// shared returns the names every part lists, in the first part's order.
func shared(parts []*kbPart, list func(*kbPart) []string) []string {
	count := map[string]int{}
	for _, p := range parts {
		for _, n := range list(p) {
			count[n]++
		}
	}
	var out []string
	for _, n := range list(parts[0]) {
		if count[n] == len(parts) {
			out = append(out, n)
		}
	}
	return out
}

// positions returns, for each wanted name, its position in have.
func positions(have, want []string) []int {
	at := make(map[string]int, len(have))
	for i, n := range have {
		at[n] = i
	}
	out := make([]int, len(want))
	for k, n := range want {
		out[k] = at[n]
	}
	return out
}

func subsetGenes(g genes, pos []int) genes {
	pick := func(x []string) []string {
		if x == nil {
			return nil
		}
		out := make([]string, len(pos))
		for k, i := range pos {
			out[k] = x[i]
		}
		return out
	}
	return genes{ids: pick(g.ids), names: pick(g.names), types: pick(g.types)}
}

// reindex returns the matrix whose row k is m's row rows[k] and whose column
// k is m's column cols[k]; columns not listed are dropped.
func reindex(m *array.CSR, rows, cols []int) *array.CSR {
	newCol := make([]int32, m.Cols)
	for j := range newCol {
		newCol[j] = -1
	}
	for k, j := range cols {
		newCol[j] = int32(k)
	}
	out := &array.CSR{Rows: len(rows), Cols: len(cols), Indptr: make([]int64, len(rows)+1)}
	for k, i := range rows {
		idx, val := m.RowView(i)
		for p, j := range idx {
			if nj := newCol[j]; nj >= 0 {
				out.Indices = append(out.Indices, nj)
				out.Data = append(out.Data, val[p])
			}
		}
		out.Indptr[k+1] = int64(len(out.Data))
	}
	out.SortIndices()
	return out
}
