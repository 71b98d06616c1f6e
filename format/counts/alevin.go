package counts

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/velo-rna/velo/anndata"
	"github.com/velo-rna/velo/array"
	"github.com/velo-rna/velo/format/internal/names"
	"github.com/velo-rna/velo/format/mtx"
)

// alevinMeta is the part of quant.json / meta_info.json velo needs.
type alevinMeta struct {
	USAMode  *bool `json:"usa_mode"`
	NumGenes *int  `json:"num_genes"`
}

// alevinDir finds an alevin-fry quant directory (holding quant.json or
// meta_info.json and alevin/quants_mat.mtx) at dir, dir/af_quant (simpleaf)
// or, when dir is the alevin subdirectory itself, its parent.
func alevinDir(dir string) (root, meta string, ok bool) {
	cands := []string{dir, filepath.Join(dir, "af_quant")}
	if filepath.Base(filepath.Clean(dir)) == "alevin" {
		cands = append(cands, filepath.Dir(filepath.Clean(dir)))
	}
	for _, d := range cands {
		m, found := findPlain(d, "quant.json", "meta_info.json")
		if !found {
			continue
		}
		if _, found := findFile(filepath.Join(d, "alevin"), "quants_mat.mtx"); found {
			return d, m, true
		}
	}
	return dir, "", false
}

// findPlain is findFile without the .gz variants, for JSON metadata.
func findPlain(dir string, names ...string) (string, bool) {
	for _, n := range names {
		p := filepath.Join(dir, n)
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() {
			return p, true
		}
	}
	return "", false
}

// ReadAlevinFry reads alevin-fry USA-mode output. dir may be the quant
// directory, a simpleaf output directory (with af_quant) or the alevin
// subdirectory.
//
// Spliced is S + A (or S alone, see Options.AlevinCounts), unspliced is U and
// the ambiguous layer is A. Sums are made in float64 and rounded once to
// float32, as scipy does on the float64 matrix it reads.
func ReadAlevinFry(dir string, opts Options) (*anndata.AnnData, error) {
	mode := opts.AlevinCounts
	switch mode {
	case "", "S+A":
		mode = "S+A"
	case "S":
	default:
		return nil, fmt.Errorf("alevin-fry counts %q: want \"S+A\" or \"S\"", opts.AlevinCounts)
	}
	root, metaPath, ok := alevinDir(dir)
	if !ok {
		return nil, fmt.Errorf("%s: no alevin-fry output (quant.json or meta_info.json and alevin/quants_mat.mtx)", dir)
	}
	opts.logf("reading alevin-fry counts from %s (spliced = %s)", root, mode)
	raw, err := os.ReadFile(metaPath)
	if err != nil {
		return nil, err
	}
	var meta alevinMeta
	if err := json.Unmarshal(raw, &meta); err != nil {
		return nil, fmt.Errorf("%s: %w", metaPath, err)
	}
	if meta.USAMode == nil || !*meta.USAMode {
		return nil, fmt.Errorf("%s: usa_mode is not true: the counts have no unspliced part (run alevin-fry quant on a splici index in USA mode)", metaPath)
	}
	if meta.NumGenes == nil || *meta.NumGenes <= 0 || *meta.NumGenes%3 != 0 {
		return nil, fmt.Errorf("%s: num_genes must be a positive multiple of 3 in USA mode (3 per gene: S, U, A)", metaPath)
	}
	g3 := *meta.NumGenes
	g := g3 / 3

	ad := filepath.Join(root, "alevin")
	matPath, _ := findFile(ad, "quants_mat.mtx")
	rowPath, err := needFile(ad, "quants_mat_rows.txt")
	if err != nil {
		return nil, err
	}
	colPath, err := needFile(ad, "quants_mat_cols.txt")
	if err != nil {
		return nil, err
	}
	barcodes, err := readList(rowPath)
	if err != nil {
		return nil, err
	}
	if err := names.CheckUnique(barcodes, "barcode"); err != nil {
		return nil, fmt.Errorf("%s: %w", rowPath, err)
	}
	cols, err := readList(colPath)
	if err != nil {
		return nil, err
	}
	// alevin-fry lists either the G genes or all 3G columns, the S block
	// first; the S block's names are the genes.
	if len(cols) != g && len(cols) != g3 {
		return nil, fmt.Errorf("%s lists %d columns, want %d genes or %d USA columns (num_genes in %s)",
			colPath, len(cols), g, g3, filepath.Base(metaPath))
	}
	geneIDs := cols[:g]
	m, err := mtx.ReadMatrix(matPath, mtx.Options{Threads: opts.Threads})
	if err != nil {
		return nil, err
	}
	if m.Rows != len(barcodes) || m.Cols != g3 {
		return nil, fmt.Errorf("%s is %d×%d (cells × USA columns), want %d×%d from %s and num_genes",
			matPath, m.Rows, m.Cols, len(barcodes), g3, filepath.Base(rowPath))
	}
	s, u, a := splitUSA(m, g, mode == "S+A")
	layers := map[string]*array.CSR{"spliced": s, "unspliced": u, "ambiguous": a}
	return newAnnData(barcodes, genes{ids: geneIDs}, layers), nil
}

// splitUSA cuts a cells × 3G matrix into its S, U and A blocks; with addA,
// the first result is S + A.
func splitUSA(m *array.CSR, g int, addA bool) (s, u, a *array.CSR) {
	s, u, a = array.NewCSR(m.Rows, g), array.NewCSR(m.Rows, g), array.NewCSR(m.Rows, g)
	for i := 0; i < m.Rows; i++ {
		idx, val := m.RowView(i)
		// Rows are sorted, so the blocks are consecutive runs.
		p := 0
		for ; p < len(idx) && int(idx[p]) < g; p++ {
		}
		q := p
		for ; q < len(idx) && int(idx[q]) < 2*g; q++ {
		}
		sIdx, sVal := idx[:p], val[:p]
		aIdx, aVal := idx[q:], val[q:]
		for k := p; k < q; k++ {
			u.Indices = append(u.Indices, idx[k]-int32(g))
			u.Data = append(u.Data, val[k])
		}
		for k := range aIdx {
			a.Indices = append(a.Indices, aIdx[k]-int32(2*g))
			a.Data = append(a.Data, aVal[k])
		}
		if addA {
			s.Indices, s.Data = mergeAdd(s.Indices, s.Data, sIdx, sVal, aIdx, aVal, int32(2*g))
		} else {
			s.Indices = append(s.Indices, sIdx...)
			s.Data = append(s.Data, sVal...)
		}
		s.Indptr[i+1], u.Indptr[i+1], a.Indptr[i+1] = int64(len(s.Data)), int64(len(u.Data)), int64(len(a.Data))
	}
	return s, u, a
}

// mergeAdd appends the sum of two sorted sparse rows to dst; the second
// row's indices are offset by off.
func mergeAdd(dstIdx []int32, dstVal []float32, xi []int32, xv []float32, yi []int32, yv []float32, off int32) ([]int32, []float32) {
	p, q := 0, 0
	for p < len(xi) || q < len(yi) {
		switch {
		case q == len(yi) || (p < len(xi) && xi[p] < yi[q]-off):
			dstIdx, dstVal = append(dstIdx, xi[p]), append(dstVal, xv[p])
			p++
		case p == len(xi) || yi[q]-off < xi[p]:
			dstIdx, dstVal = append(dstIdx, yi[q]-off), append(dstVal, yv[q])
			q++
		default:
			dstIdx = append(dstIdx, xi[p])
			dstVal = append(dstVal, float32(float64(xv[p])+float64(yv[q])))
			p++
			q++
		}
	}
	return dstIdx, dstVal
}
