package counts

import (
	"path/filepath"
	"testing"

	"github.com/velo-rna/velo/anndata"
	"github.com/velo-rna/velo/array"
	"github.com/velo-rna/velo/format/internal/testref"
	"github.com/velo-rna/velo/internal/testenv"
)

// TestPancreasLayouts reads every counter layout of the pancreas data and
// requires exactly the spliced and unspliced counts of pancreas.h5ad, cell
// by cell (matched by barcode) and gene by gene.
func TestPancreasLayouts(t *testing.T) {
	ref := testref.Load(t)
	base := testenv.Path(t, "data", "pancreas")
	tests := []struct {
		name   string
		dir    string
		read   func(string, Options) (*anndata.AnnData, error)
		layout Layout
	}{
		// Each directory is given at the level a user would type.
		{"STARsolo", filepath.Join(base, "starsolo"), ReadSTARsolo, STARsolo},
		{"STARsolo filtered dir", filepath.Join(base, "starsolo", "Solo.out", "Velocyto", "filtered"), ReadSTARsolo, STARsolo},
		{"kallisto lamanno", filepath.Join(base, "kb-lamanno"), ReadKallisto, Kallisto},
		{"alevin-fry", filepath.Join(base, "alevin-fry"), ReadAlevinFry, AlevinFry},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l, err := Detect(tc.dir)
			if err != nil || l != tc.layout {
				t.Fatalf("Detect = %q, %v; want %q", l, err, tc.layout)
			}
			var logs []string
			a, err := Read(tc.dir, Options{Logf: func(f string, args ...any) { logs = append(logs, f) }})
			if err != nil {
				t.Fatal(err)
			}
			n := testref.Compare(t, ref, a, testref.Identity)
			t.Logf("%s: %s; %d values equal to pancreas.h5ad", tc.name, testref.Summary(a), n)
			if len(logs) == 0 {
				t.Error("the reader did not say which directory it read")
			}
			ids, err := a.Var.Strings("gene_ids")
			if err != nil || len(ids) != a.NVars() {
				t.Errorf("var gene_ids: %v", err)
			}
			// The direct reader gives the same result as Read.
			b, err := tc.read(tc.dir, Options{})
			if err != nil {
				t.Fatal(err)
			}
			testref.Compare(t, ref, b, testref.Identity)
		})
	}
}

// TestKallistoFixture reads a real kallisto|bustools lamanno output.
// Expected figures were computed from the files with awk:
//
//	wc -l *.barcodes.txt *.genes.txt                   → 278 barcodes, 17 genes
//	awk 'NR>4{s+=$3} END{print s, NR-4}' spliced.mtx  → sum 90 over 89 entries
//	awk 'NR>4{print $1,$2}' spliced.mtx | sort -u | wc -l → 89 distinct coordinates
//	awk 'NR>4{s[$2]+=$3} END{for(g in s) print g, s[g]}' → genes 3, 16, 17 sum 59, 12, 19
//	awk 'NR>4 && $3!=1' spliced.mtx                    → "107 3 2"
//
// (unspliced.mtx is byte-identical to spliced.mtx in this fixture).
func TestKallistoFixture(t *testing.T) {
	dir := testenv.Path(t, "data", "kb-lamanno-fixture")
	a, err := ReadKallisto(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if a.NObs() != 278 || a.NVars() != 17 {
		t.Fatalf("shape %d×%d, want 278×17", a.NObs(), a.NVars())
	}
	for _, k := range []string{"spliced", "unspliced"} {
		m := array.AsCSR(a.Layers[k])
		if err := m.Validate(); err != nil {
			t.Fatal(err)
		}
		if m.NNZ() != 89 {
			t.Errorf("%s: %d stored values, want 89", k, m.NNZ())
		}
		var total float64
		for _, s := range m.RowSums() {
			total += s
		}
		if total != 90 {
			t.Errorf("%s: total %v, want 90", k, total)
		}
		colSum := map[string]float64{}
		for i := 0; i < m.Rows; i++ {
			idx, val := m.RowView(i)
			for p, j := range idx {
				colSum[a.Var.Index[j]] += float64(val[p])
			}
		}
		want := map[string]float64{"ENSMUSG00000051951.5": 59, "ENSMUSG00000102343.1": 12, "ENSMUSG00000025900.12": 19}
		if len(colSum) != len(want) {
			t.Errorf("%s: counts in %d genes, want %d", k, len(colSum), len(want))
		}
		for g, s := range want {
			if colSum[g] != s {
				t.Errorf("%s: gene %s sums to %v, want %v", k, g, colSum[g], s)
			}
		}
		if a.Obs.Index[106] != "CGGACGTTCTATCCTA" || m.At(106, 2) != 2 {
			t.Errorf("%s: cell 107 (%s) gene 3 = %v, want 2", k, a.Obs.Index[106], m.At(106, 2))
		}
	}
}
