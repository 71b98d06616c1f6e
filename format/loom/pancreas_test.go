package loom

import (
	"strings"
	"testing"

	"github.com/velo-rna/velo/format/internal/testref"
	"github.com/velo-rna/velo/internal/testenv"
)

// velocytoBarcode turns velocyto's "sample:BARCODEx" into BARCODE.
func velocytoBarcode(s string) string {
	if i := strings.LastIndexByte(s, ':'); i >= 0 {
		s = s[i+1:]
	}
	return strings.TrimSuffix(s, "x")
}

// TestPancreasLoom requires exactly the spliced and unspliced counts of
// pancreas.h5ad from pancreas.loom, whose cells are named
// "pancreas:BARCODEx".
func TestPancreasLoom(t *testing.T) {
	ref := testref.Load(t)
	path := testenv.Path(t, "data", "pancreas", "pancreas.loom")
	for _, threads := range []int{1, 4} {
		a, err := Read(path, Options{Threads: threads})
		if err != nil {
			t.Fatal(err)
		}
		n := testref.Compare(t, ref, a, velocytoBarcode)
		t.Logf("threads=%d: %s; %d values equal to pancreas.h5ad", threads, testref.Summary(a), n)
		if !strings.HasPrefix(a.Obs.Index[0], "pancreas:") {
			t.Errorf("obs names %q… are not the CellIDs", a.Obs.Index[0])
		}
		cl, err := a.Obs.Strings("clusters")
		if err != nil || len(cl) != a.NObs() || cl[0] == "" {
			t.Errorf("col_attrs clusters not in obs: %v", err)
		}
		if _, err := a.Var.Strings("gene_ids"); err != nil {
			t.Errorf("Accession not in var gene_ids: %v", err)
		}
		if a.Var.Has("Accession") || a.Var.Has("Gene") || a.Obs.Has("CellID") {
			t.Error("name attributes duplicated as columns")
		}
		for _, k := range []string{"matrix", "ambiguous"} {
			if _, ok := a.Layers[k]; !ok {
				t.Errorf("layer %s missing", k)
			}
		}
	}
}
