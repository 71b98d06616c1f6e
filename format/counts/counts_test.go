package counts

import (
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/velo-rna/velo/anndata"
	"github.com/velo-rna/velo/array"
)

// writeFiles creates files (path relative to dir → content); names ending
// in .gz are gzip-compressed.
func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		b := []byte(content)
		if strings.HasSuffix(name, ".gz") {
			var buf bytes.Buffer
			w := gzip.NewWriter(&buf)
			w.Write(b)
			w.Close()
			b = buf.Bytes()
		}
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func denseLayer(t *testing.T, a *anndata.AnnData, k string) [][]float32 {
	t.Helper()
	m, err := a.Layer(k)
	if err != nil {
		t.Fatal(err)
	}
	if err := array.AsCSR(m).Validate(); err != nil {
		t.Fatalf("layer %s: %v", k, err)
	}
	d := array.AsDense(m)
	out := make([][]float32, d.Rows)
	for i := range out {
		out[i] = append([]float32(nil), d.Row(i)...)
	}
	return out
}

func checkLayer(t *testing.T, a *anndata.AnnData, k string, want [][]float32) {
	t.Helper()
	got := denseLayer(t, a, k)
	if len(got) != len(want) {
		t.Fatalf("layer %s has %d rows, want %d", k, len(got), len(want))
	}
	for i := range want {
		if !slices.Equal(got[i], want[i]) {
			t.Fatalf("layer %s = %v, want %v", k, got, want)
		}
	}
}

const mmInt = "%%MatrixMarket matrix coordinate integer general\n"

// A 3-gene × 2-cell STARsolo output whose gene symbol Gad1 repeats.
var starsoloFiles = map[string]string{
	"barcodes.tsv": "AAAC\nTTTG\n",
	"features.tsv": "G1\tGad1\tGene Expression\nG2\tGad1\tGene Expression\nG3\tSox2\tGene Expression\n",
	// genes × cells: spliced (gene, cell) = (1,1)=4, (3,2)=1, (2,2)=2
	"spliced.mtx.gz": mmInt + "3 2 3\n1 1 4\n3 2 1\n2 2 2\n",
	"unspliced.mtx":  mmInt + "3 2 1\n3 1 5\n",
	"ambiguous.mtx":  mmInt + "3 2 0\n",
}

func TestReadSTARsolo(t *testing.T) {
	dir := t.TempDir()
	sub := filepath.Join(dir, "Solo.out", "Velocyto", "filtered")
	files := map[string]string{}
	for k, v := range starsoloFiles {
		files[filepath.Join("Solo.out", "Velocyto", "filtered", k)] = v
	}
	writeFiles(t, dir, files)
	for _, d := range []string{dir, filepath.Join(dir, "Solo.out"), filepath.Join(dir, "Solo.out", "Velocyto"), sub} {
		a, err := Read(d, Options{})
		if err != nil {
			t.Fatalf("%s: %v", d, err)
		}
		if !slices.Equal(a.Obs.Index, []string{"AAAC", "TTTG"}) {
			t.Errorf("obs names %q", a.Obs.Index)
		}
		// Repeated symbols are made unique the anndata way; ids kept.
		if !slices.Equal(a.Var.Index, []string{"Gad1", "Gad1-1", "Sox2"}) {
			t.Errorf("var names %q", a.Var.Index)
		}
		ids, _ := a.Var.Strings("gene_ids")
		types, _ := a.Var.Strings("feature_types")
		if !slices.Equal(ids, []string{"G1", "G2", "G3"}) || types[0] != "Gene Expression" {
			t.Errorf("gene_ids %q feature_types %q", ids, types)
		}
		checkLayer(t, a, "spliced", [][]float32{{4, 0, 0}, {0, 2, 1}})
		checkLayer(t, a, "unspliced", [][]float32{{0, 0, 5}, {0, 0, 0}})
		checkLayer(t, a, "ambiguous", [][]float32{{0, 0, 0}, {0, 0, 0}})
		// X is a copy: changing it leaves the spliced layer alone.
		x := a.X.(*array.CSR)
		x.Data[0] = 99
		if a.Layers["spliced"].(*array.CSR).Data[0] != 4 {
			t.Error("X aliases the spliced layer")
		}
	}
}

func TestReadSTARsoloThreeValueMatrix(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"Velocyto/raw/barcodes.tsv": "AAAC\nTTTG\n",
		"Velocyto/raw/genes.tsv":    "G1\tGad1\nG2\tSox2\n",
		// STAR < 2.7.9a: gene cell spliced unspliced ambiguous
		"Velocyto/raw/matrix.mtx": mmInt + "%\n2 2 3\n1 1 4 1 0\n2 1 0 3 1\n2 2 2 0 0\n",
	})
	a, err := Read(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	checkLayer(t, a, "spliced", [][]float32{{4, 0}, {0, 2}})
	checkLayer(t, a, "unspliced", [][]float32{{1, 3}, {0, 0}})
	checkLayer(t, a, "ambiguous", [][]float32{{0, 1}, {0, 0}})
	if a.Var.Has("feature_types") {
		t.Error("genes.tsv without types gave a feature_types column")
	}
}

func TestReadSTARsoloErrors(t *testing.T) {
	tests := []struct {
		name    string
		replace map[string]string // changes to starsoloFiles; "" deletes
		want    string
	}{
		{"duplicate barcode", map[string]string{"barcodes.tsv": "AAAC\nAAAC\n"}, `barcodes.tsv: barcode "AAAC" appears twice (lines 1 and 2)`},
		{"gene list too short", map[string]string{"features.tsv": "G1\tGad1\tGene Expression\nG2\tSox2\tGene Expression\n"},
			"spliced.mtx.gz is 3×2 (genes × cells), but barcodes.tsv lists 2 barcodes and features.tsv 2 genes"},
		{"missing unspliced", map[string]string{"unspliced.mtx": ""}, "missing unspliced.mtx"},
		{"blank line in barcodes", map[string]string{"barcodes.tsv": "AAAC\n\nTTTG\n"}, "barcodes.tsv:2: empty line"},
		{"bad matrix", map[string]string{"unspliced.mtx": mmInt + "3 2 1\n4 1 5\n"}, "unspliced.mtx:3: row index 4 is outside 1..3"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			files := map[string]string{}
			for k, v := range starsoloFiles {
				files[k] = v
			}
			for k, v := range tc.replace {
				if v == "" {
					delete(files, k)
				} else {
					files[k] = v
				}
			}
			writeFiles(t, dir, files)
			_, err := ReadSTARsolo(dir, Options{})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want %q", err, tc.want)
			}
		})
	}
}

func TestGeneMatrixIsNotVelocity(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"barcodes.tsv": "AAAC\n",
		"features.tsv": "G1\tGad1\tGene Expression\n",
		"matrix.mtx":   mmInt + "1 1 1\n1 1 3\n",
	})
	if _, err := Detect(dir); err == nil {
		t.Error("a Solo.out/Gene matrix was taken for velocity counts")
	}
	if _, err := ReadSTARsolo(dir, Options{}); err == nil {
		t.Error("ReadSTARsolo accepted a one-valued matrix.mtx")
	}
}

func TestReadKallistoNac(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"counts_unfiltered/cells_x_genes.barcodes.txt":    "AAAC\nTTTG\nGGGA\n",
		"counts_unfiltered/cells_x_genes.genes.txt":       "ENSG1\nENSG2\n",
		"counts_unfiltered/cells_x_genes.genes.names.txt": "Gad1\nGad1\n",
		// cells × genes
		"counts_unfiltered/cells_x_genes.mature.mtx":    mmInt + "3 2 2\n1 1 3\n3 2 1\n",
		"counts_unfiltered/cells_x_genes.nascent.mtx":   mmInt + "3 2 1\n2 2 7\n",
		"counts_unfiltered/cells_x_genes.ambiguous.mtx": mmInt + "3 2 1\n1 2 1\n",
		"counts_unfiltered/cells_x_genes.total.mtx":     mmInt + "3 2 0\n",
	})
	if l, err := Detect(dir); err != nil || l != Kallisto {
		t.Fatalf("Detect = %q, %v", l, err)
	}
	a, err := Read(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(a.Var.Index, []string{"Gad1", "Gad1-1"}) {
		t.Errorf("var names %q", a.Var.Index)
	}
	ids, _ := a.Var.Strings("gene_ids")
	if !slices.Equal(ids, []string{"ENSG1", "ENSG2"}) {
		t.Errorf("gene_ids %q", ids)
	}
	checkLayer(t, a, "spliced", [][]float32{{3, 0}, {0, 0}, {0, 1}})
	checkLayer(t, a, "unspliced", [][]float32{{0, 0}, {0, 7}, {0, 0}})
	checkLayer(t, a, "ambiguous", [][]float32{{0, 1}, {0, 0}, {0, 0}})
}

func TestReadKallistoAligns(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"spliced.barcodes.txt": "AAAC\nTTTG\nGGGA\n",
		"spliced.genes.txt":    "g1\ng2\ng3\n",
		// spliced: AAAC g1=1, TTTG g2=2, GGGA g3=3
		"spliced.mtx": mmInt + "3 3 3\n1 1 1\n2 2 2\n3 3 3\n",
		// unspliced lists its cells in another order, lacks GGGA, adds CCCC,
		// and lacks g2.
		"unspliced.barcodes.txt": "TTTG\nCCCC\nAAAC\n",
		"unspliced.genes.txt":    "g3\ng1\n",
		// TTTG g3=5, CCCC g1=6, AAAC g1=7 g3=8
		"unspliced.mtx.gz": mmInt + "3 2 4\n1 1 5\n2 2 6\n3 2 7\n3 1 8\n",
	})
	var logs []string
	a, err := ReadKallisto(dir, Options{Logf: func(f string, args ...any) { logs = append(logs, f) }})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(a.Obs.Index, []string{"AAAC", "TTTG"}) || !slices.Equal(a.Var.Index, []string{"g1", "g3"}) {
		t.Fatalf("aligned to %q × %q, want [AAAC TTTG] × [g1 g3]", a.Obs.Index, a.Var.Index)
	}
	checkLayer(t, a, "spliced", [][]float32{{1, 0}, {0, 0}})
	checkLayer(t, a, "unspliced", [][]float32{{7, 8}, {0, 5}})
	said := strings.Join(logs, "\n")
	if !strings.Contains(said, "keeping %d of %d barcodes") {
		t.Errorf("alignment was not reported: %q", said)
	}
}

func TestReadKallistoNothingShared(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"spliced.barcodes.txt":   "AAAC\n",
		"spliced.genes.txt":      "g1\n",
		"spliced.mtx":            mmInt + "1 1 0\n",
		"unspliced.barcodes.txt": "TTTG\n",
		"unspliced.genes.txt":    "g1\n",
		"unspliced.mtx":          mmInt + "1 1 0\n",
	})
	if _, err := ReadKallisto(dir, Options{}); err == nil || !strings.Contains(err.Error(), "share 0 barcodes") {
		t.Fatalf("error %v", err)
	}
}

// alevinFiles is a 3-cell, G = 2 USA-mode output: columns S(g1, g2),
// U(g1, g2), A(g1, g2).
func alevinFiles(meta, cols string) map[string]string {
	return map[string]string{
		"quant.json":                 meta,
		"alevin/quants_mat_rows.txt": "AAAC\nTTTG\nGGGA\n",
		"alevin/quants_mat_cols.txt": cols,
		// AAAC: S g1=2, A g1=1 (summed into spliced), U g2=4
		// TTTG: A g2=3 only; GGGA: S g2=1
		"alevin/quants_mat.mtx.gz": "%%MatrixMarket matrix coordinate real general\n3 6 5\n1 1 2\n1 5 1\n1 4 4\n2 6 3\n3 2 1\n",
	}
}

func TestReadAlevinFry(t *testing.T) {
	const meta = `{"num_genes": 6, "usa_mode": true}`
	tests := []struct {
		name, cols, mode string
		nest             string // where the output sits under the temp dir
		arg              string // the directory passed, relative to it
		spliced          [][]float32
	}{
		{"S+A default, 3G column names", "g1\ng2\ng1-U\ng2-U\ng1-A\ng2-A\n", "", "", "", [][]float32{{3, 0}, {0, 3}, {0, 1}}},
		{"S only", "g1\ng2\n", "S", "", "", [][]float32{{2, 0}, {0, 0}, {0, 1}}},
		{"simpleaf af_quant", "g1\ng2\n", "S+A", "af_quant", "", [][]float32{{3, 0}, {0, 3}, {0, 1}}},
		{"alevin subdirectory given", "g1\ng2\n", "", "", "alevin", [][]float32{{3, 0}, {0, 3}, {0, 1}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			files := map[string]string{}
			for k, v := range alevinFiles(meta, tc.cols) {
				files[filepath.Join(tc.nest, k)] = v
			}
			writeFiles(t, dir, files)
			a, err := Read(filepath.Join(dir, tc.arg), Options{AlevinCounts: tc.mode})
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(a.Var.Index, []string{"g1", "g2"}) {
				t.Errorf("var names %q", a.Var.Index)
			}
			checkLayer(t, a, "spliced", tc.spliced)
			checkLayer(t, a, "unspliced", [][]float32{{0, 4}, {0, 0}, {0, 0}})
			checkLayer(t, a, "ambiguous", [][]float32{{1, 0}, {0, 3}, {0, 0}})
		})
	}
}

func TestReadAlevinFryErrors(t *testing.T) {
	tests := []struct {
		name, meta, cols, mode, want string
	}{
		{"not USA", `{"num_genes": 6, "usa_mode": false}`, "g1\ng2\n", "", "usa_mode is not true"},
		{"no usa_mode", `{"num_genes": 6}`, "g1\ng2\n", "", "usa_mode is not true"},
		{"num_genes", `{"num_genes": 5, "usa_mode": true}`, "g1\ng2\n", "", "multiple of 3"},
		{"wrong column count", `{"num_genes": 6, "usa_mode": true}`, "g1\ng2\ng3\n", "", "lists 3 columns, want 2 genes or 6"},
		{"matrix shape", `{"num_genes": 9, "usa_mode": true}`, "g1\ng2\ng3\n", "", "is 3×6 (cells × USA columns), want 3×9"},
		{"bad option", `{"num_genes": 6, "usa_mode": true}`, "g1\ng2\n", "U", `alevin-fry counts "U"`},
		{"bad json", `{"num_genes": 6,`, "g1\ng2\n", "", "quant.json"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			writeFiles(t, dir, alevinFiles(tc.meta, tc.cols))
			_, err := ReadAlevinFry(dir, Options{AlevinCounts: tc.mode})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want %q", err, tc.want)
			}
		})
	}
}

func TestAlevinMetaInfo(t *testing.T) {
	dir := t.TempDir()
	files := alevinFiles("", "g1\ng2\n")
	delete(files, "quant.json")
	files["meta_info.json"] = `{"num_genes": 6, "usa_mode": true}`
	writeFiles(t, dir, files)
	if _, err := ReadAlevinFry(dir, Options{}); err != nil {
		t.Fatal(err)
	}
}

func TestDetect(t *testing.T) {
	dir := t.TempDir()
	if _, err := Detect(dir); err == nil || !strings.Contains(err.Error(), "no STARsolo Velocyto, kallisto|bustools or alevin-fry counts") {
		t.Errorf("empty directory: %v", err)
	}
	files := map[string]string{}
	for k, v := range starsoloFiles {
		files["Solo.out/Velocyto/filtered/"+k] = v
	}
	files["counts_filtered/spliced.mtx"] = mmInt + "1 1 0\n"
	files["counts_filtered/spliced.barcodes.txt"] = "A\n"
	files["counts_filtered/spliced.genes.txt"] = "g\n"
	files["counts_filtered/unspliced.mtx"] = mmInt + "1 1 0\n"
	files["counts_filtered/unspliced.barcodes.txt"] = "A\n"
	files["counts_filtered/unspliced.genes.txt"] = "g\n"
	writeFiles(t, dir, files)
	if _, err := Detect(dir); err == nil || !strings.Contains(err.Error(), "several kinds (starsolo, kallisto)") {
		t.Errorf("ambiguous directory: %v", err)
	}
	if l, err := Detect(filepath.Join(dir, "counts_filtered")); err != nil || l != Kallisto {
		t.Errorf("counts_filtered: %q %v", l, err)
	}
}
