package merge

import (
	"slices"
	"strings"
	"testing"

	"github.com/velo-rna/velo/array"
	"github.com/velo-rna/velo/format/counts"
	"github.com/velo-rna/velo/format/h5ad"
	"github.com/velo-rna/velo/format/loom"
	"github.com/velo-rna/velo/internal/testenv"
)

// TestPancreasLoomWithAnnotation merges velocyto's pancreas.loom (cells
// "pancreas:BARCODEx") with pancreas.h5ad (cells "BARCODE") as the
// annotation: every cell must match, and the clusters velocyto stored in
// the loom must equal the annotation's clusters cell by cell.
func TestPancreasLoomWithAnnotation(t *testing.T) {
	ld, err := loom.Read(testenv.Path(t, "data", "pancreas", "pancreas.loom"), loom.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ann, err := h5ad.Read(testenv.Path(t, "data", "pancreas", "pancreas.h5ad"))
	if err != nil {
		t.Fatal(err)
	}
	lc, _ := ld.Obs.Get("clusters")
	ld.Obs.Delete("clusters")
	ld.Obs.Set("loom_clusters", lc)

	out, rep, err := Merge([]Sample{{Name: "pancreas", Data: ld}}, ann, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("report:\n%s", rep)
	if rep.Samples[0].Matched != 3696 || rep.Samples[0].Unmatched != 0 || rep.AnnotationUnmatched != 0 || rep.Cells != 3696 {
		t.Fatalf("report %+v", rep)
	}
	if !slices.Equal(out.Obs.Index, ann.Obs.Index) {
		t.Error("result is not in the annotation's order and names")
	}
	want, _ := out.Obs.Strings("clusters")
	got, _ := out.Obs.Strings("loom_clusters")
	for i := range want {
		if want[i] != got[i] {
			t.Fatalf("cell %s: loom cluster %q, annotation %q", out.Obs.Index[i], got[i], want[i])
		}
	}
	// Counts follow the cells: the merged spliced layer equals the
	// annotation file's own.
	ms, as := array.AsDense(out.Layers["spliced"]), array.AsDense(ann.Layers["spliced"])
	if !slices.Equal(ms.Data, as.Data) {
		t.Error("merged spliced counts differ from pancreas.h5ad's")
	}
}

// TestPancreasTwoCountersRefused merges two counters' outputs of the same
// cells as two samples with an annotation that names no sample: every
// annotation cell fits both, which must be refused, not guessed.
func TestPancreasTwoCountersRefused(t *testing.T) {
	star, err := counts.ReadSTARsolo(testenv.Path(t, "data", "pancreas", "starsolo"), counts.Options{})
	if err != nil {
		t.Fatal(err)
	}
	kb, err := counts.ReadKallisto(testenv.Path(t, "data", "pancreas", "kb-lamanno"), counts.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ann, err := h5ad.Read(testenv.Path(t, "data", "pancreas", "pancreas.h5ad"))
	if err != nil {
		t.Fatal(err)
	}
	samples := []Sample{{Name: "star", Data: star}, {Name: "kb", Data: kb}}
	_, _, err = Merge(samples, ann, Options{})
	if err == nil || !strings.Contains(err.Error(), `of sample "star" and cell`) {
		t.Fatalf("error %v, want the double match refused", err)
	}
	// Without an annotation the two are simply stacked.
	out, rep, err := Merge(samples, nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if out.NObs() != 2*3696 || rep.Genes != 2000 || out.Obs.Index[3696] != "kb:AAACCTGAGAGGGATA" {
		t.Errorf("stacked %d cells, %d genes, row 3696 %q", out.NObs(), rep.Genes, out.Obs.Index[3696])
	}
	if !slices.Equal(rep.DroppedLayers, []string{"ambiguous"}) {
		t.Errorf("dropped layers %q (kb lamanno has no ambiguous layer)", rep.DroppedLayers)
	}
}
