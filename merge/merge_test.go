package merge

import (
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/velo-rna/velo/anndata"
	"github.com/velo-rna/velo/array"
)

const (
	bcA = "AAACCTGAGAGGGATA"
	bcB = "AAACCTGAGCCTTGAT"
	bcC = "AAACCTGAGGCAATTA"
	bcD = "TTTGTCATCTGCGTAA"
)

func TestParseName(t *testing.T) {
	tests := []struct {
		in, core, prefix, suffix string
	}{
		{"pancreas:" + bcA + "x", bcA, "pancreas:", "x"}, // velocyto
		{bcA + "-1", bcA, "", "-1"},                      // CellRanger
		{bcA, bcA, "", ""},
		{"s1_" + bcA, bcA, "s1_", ""},                      // Seurat add.cell.ids
		{bcA + "-1-0", bcA, "", "-1-0"},                    // anndata concatenate
		{"GATA_" + bcA, bcA, "GATA_", ""},                  // upper-case sample name of bases
		{"ACGTACGTAC_" + bcA, bcA, "ACGTACGTAC_", ""},      // longest run wins
		{"AAAAAAAA_CCCCCCCC", "CCCCCCCC", "AAAAAAAA_", ""}, // ties: the last
		{"cell_17", "cell_17", "", ""},                     // no barcode: whole name
		{"ACGT-1", "ACGT-1", "", ""},                       // too short to be a barcode
	}
	for _, tc := range tests {
		n := parseName(tc.in, defaultMinCore)
		if n.core != tc.core || n.prefix != tc.prefix || n.suffix != tc.suffix {
			t.Errorf("parseName(%q) = %+v, want core %q prefix %q suffix %q", tc.in, n, tc.core, tc.prefix, tc.suffix)
		}
	}
}

func TestContainsWord(t *testing.T) {
	tests := []struct {
		s, id string
		want  bool
	}{
		{"-1", "1", true},
		{"-1-0", "0", true},
		{"-10", "1", false},
		{"s1_", "s1", true},
		{"s10_", "s1", false},
		{"-1-sample_1", "sample_1", true},
		{"pancreas:", "pancreas", true},
		{"x", "pancreas", false},
		{"", "s1", false},
		{"s1", "", false},
	}
	for _, tc := range tests {
		if got := containsWord(tc.s, tc.id); got != tc.want {
			t.Errorf("containsWord(%q, %q) = %v", tc.s, tc.id, got)
		}
	}
}

// toyCounts builds a sample whose cell i has spliced = base+i in every gene
// and unspliced = 1.
func toyCounts(cells, genes []string, base float32) *anndata.AnnData {
	a := anndata.New(cells, genes)
	s := array.NewDense(len(cells), len(genes))
	u := array.NewDense(len(cells), len(genes))
	for i := range cells {
		for j := range genes {
			s.Set(i, j, base+float32(i)+float32(j)/10)
			u.Set(i, j, 1)
		}
	}
	a.Layers["spliced"] = s.ToCSR()
	a.Layers["unspliced"] = u.ToCSR()
	a.X = s.ToCSR()
	return a
}

// annotated builds an annotation with a categorical clusters column (the
// cell's position as category) and a 2-D X_umap holding (position, -position).
func annotated(names []string) *anndata.AnnData {
	a := anndata.New(names, []string{"g1"})
	codes := make([]int32, len(names))
	cats := make([]string, len(names))
	umap := array.NewDense(len(names), 2)
	for i := range names {
		codes[i] = int32(i)
		cats[i] = "c" + string(rune('0'+i))
		umap.Set(i, 0, float32(i))
		umap.Set(i, 1, -float32(i))
	}
	a.Obs.Set("clusters", &anndata.Categorical{Codes: codes, Categories: cats})
	a.Obsm["X_umap"] = umap
	a.Uns["clusters_colors"] = []string{"#000"}
	return a
}

// TestHarmonisation matches velocyto-named loom cells against annotations
// written in each barcode convention met in practice.
func TestHarmonisation(t *testing.T) {
	loomCells := []string{"sampleA:" + bcA + "x", "sampleA:" + bcB + "x", "sampleA:" + bcC + "x"}
	tests := []struct {
		convention string
		names      []string // annotation names of bcB, bcA (another order, one cell missing)
	}{
		{"CellRanger BARCODE-1", []string{bcB + "-1", bcA + "-1"}},
		{"bare barcode", []string{bcB, bcA}},
		{"Seurat sample_BARCODE", []string{"sampleA_" + bcB, "sampleA_" + bcA}},
		{"Seurat sample_BARCODE-1", []string{"sampleA_" + bcB + "-1", "sampleA_" + bcA + "-1"}},
		{"anndata BARCODE-1-0", []string{bcB + "-1-0", bcA + "-1-0"}},
		{"anndata BARCODE-1-sample", []string{bcB + "-1-sampleA", bcA + "-1-sampleA"}},
		{"velocyto sample:BARCODEx", []string{"sampleA:" + bcB + "x", "sampleA:" + bcA + "x"}},
		{"other sample name in annotation", []string{"run7_" + bcB, "run7_" + bcA}},
	}
	for _, tc := range tests {
		t.Run(tc.convention, func(t *testing.T) {
			s := Sample{Name: "sampleA", Data: toyCounts(loomCells, []string{"g1", "g2"}, 10)}
			out, rep, err := Merge([]Sample{s}, annotated(tc.names), Options{})
			if err != nil {
				t.Fatal(err)
			}
			// Matched cells only, in the annotation's order and names.
			if !slices.Equal(out.Obs.Index, tc.names) {
				t.Fatalf("obs names %q, want %q", out.Obs.Index, tc.names)
			}
			sp := array.AsDense(out.Layers["spliced"])
			if sp.At(0, 0) != 11 || sp.At(1, 0) != 10 { // bcB is cell 1 (10+1), bcA cell 0
				t.Errorf("spliced rows not aligned: %v", sp.Data)
			}
			cl, _ := out.Obs.Strings("clusters")
			if !slices.Equal(cl, []string{"c0", "c1"}) {
				t.Errorf("clusters %q", cl)
			}
			if u := out.Obsm["X_umap"]; u.At(1, 0) != 1 || u.At(1, 1) != -1 {
				t.Errorf("X_umap %v", u.Data)
			}
			r := rep.Samples[0]
			if r.Cells != 3 || r.Matched != 2 || r.Unmatched != 1 || rep.AnnotationUnmatched != 0 || rep.Cells != 2 {
				t.Errorf("report %+v", rep)
			}
			if len(r.Patterns) != 1 {
				t.Errorf("patterns %v", r.Patterns)
			}
		})
	}
}

func TestMultiSample(t *testing.T) {
	// bcA is in both samples: only the sample marks in the annotation tell
	// the two cells apart.
	s1 := func(aliases ...string) Sample {
		return Sample{Name: "s1", Aliases: aliases, Data: toyCounts([]string{"s1:" + bcA + "x", "s1:" + bcB + "x"}, []string{"g1", "g2"}, 10)}
	}
	s2 := func(aliases ...string) Sample {
		return Sample{Name: "s2", Aliases: aliases, Data: toyCounts([]string{"s2:" + bcA + "x", "s2:" + bcC + "x"}, []string{"g2", "g3", "g1"}, 20)}
	}
	t.Run("prefixed names", func(t *testing.T) {
		ann := annotated([]string{"s2_" + bcA, "s1_" + bcA, "s1_" + bcB, "s2_" + bcC})
		out, rep, err := Merge([]Sample{s1(), s2()}, ann, Options{})
		if err != nil {
			t.Fatal(err)
		}
		// Genes: shared g1, g2 in the first sample's order.
		if !slices.Equal(out.Var.Index, []string{"g1", "g2"}) {
			t.Errorf("var %q", out.Var.Index)
		}
		sp := array.AsDense(out.Layers["spliced"])
		// Row 0 is s2's bcA (cell 0, base 20): g1 is its third gene (j=2).
		want := [][]float32{{20.2, 20}, {10, 10.1}, {11, 11.1}, {21.2, 21}}
		for i, w := range want {
			if !slices.Equal(sp.Row(i), w) {
				t.Errorf("row %d = %v, want %v", i, sp.Row(i), w)
			}
		}
		samp, _ := out.Obs.Strings("sample")
		if !slices.Equal(samp, []string{"s2", "s1", "s1", "s2"}) {
			t.Errorf("sample column %q", samp)
		}
		if rep.Samples[0].Matched != 2 || rep.Samples[1].Matched != 2 || rep.Genes != 2 {
			t.Errorf("report %+v", rep)
		}
	})
	t.Run("CellRanger aggr suffixes without aliases", func(t *testing.T) {
		ann := annotated([]string{bcA + "-1", bcB + "-1", bcA + "-2", bcC + "-2"})
		_, _, err := Merge([]Sample{s1(), s2()}, ann, Options{})
		if err == nil || !strings.Contains(err.Error(), "matches 2 annotation cells") {
			t.Fatalf("error %v, want an ambiguity error", err)
		}
	})
	t.Run("CellRanger aggr suffixes with aliases", func(t *testing.T) {
		ann := annotated([]string{bcA + "-1", bcB + "-1", bcA + "-2", bcC + "-2"})
		out, rep, err := Merge([]Sample{s1("1"), s2("2")}, ann, Options{})
		if err != nil {
			t.Fatal(err)
		}
		samp, _ := out.Obs.Strings("sample")
		if !slices.Equal(samp, []string{"s1", "s1", "s2", "s2"}) {
			t.Errorf("sample column %q", samp)
		}
		if rep.Samples[0].Patterns["*-1"] != 2 || rep.Samples[1].Patterns["*-2"] != 2 {
			t.Errorf("patterns %v %v", rep.Samples[0].Patterns, rep.Samples[1].Patterns)
		}
	})
	t.Run("anndata batch suffix", func(t *testing.T) {
		ann := annotated([]string{bcA + "-1-0", bcB + "-1-0", bcA + "-1-1", bcC + "-1-1"})
		// The alias "1" occurs in every name ("-1-…"), so names cannot
		// tell the batches apart: refused.
		if _, _, err := Merge([]Sample{s1("0"), s2("1")}, ann, Options{}); err == nil {
			t.Fatal("ambiguous aliases accepted")
		}
		// A sample column settles it, and then names are not consulted.
		ann.Obs.Set("batch", []int64{0, 0, 1, 1})
		out, _, err := Merge([]Sample{s1("0"), s2("1")}, ann, Options{SampleKey: "batch"})
		if err != nil {
			t.Fatal(err)
		}
		samp, _ := out.Obs.Strings("sample")
		if !slices.Equal(samp, []string{"s1", "s1", "s2", "s2"}) {
			t.Errorf("sample column %q", samp)
		}
		ann.Obs.Set("batch", []string{"s1", "s1", "s2", "s2"})
		if _, _, err := Merge([]Sample{s1(), s2()}, ann, Options{SampleKey: "batch"}); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("one annotation cell, two samples", func(t *testing.T) {
		ann := annotated([]string{bcA + "-1", bcB + "-1", bcC + "-1"})
		_, _, err := Merge([]Sample{s1(), s2()}, ann, Options{})
		if err == nil || !strings.Contains(err.Error(), `annotation cell "`+bcA+`-1" matches cell "s1:`+bcA+`x" of sample "s1" and cell "s2:`+bcA+`x" of sample "s2"`) {
			t.Fatalf("error %v", err)
		}
	})
}

func TestMergeErrors(t *testing.T) {
	genes := []string{"g1"}
	ok := Sample{Name: "s1", Data: toyCounts([]string{bcA, bcB}, genes, 1)}
	tests := []struct {
		name    string
		samples []Sample
		ann     *anndata.AnnData
		want    string
	}{
		{"no samples", nil, nil, "no samples"},
		{"unnamed", []Sample{{Data: ok.Data}}, nil, "sample 1 has no name"},
		{"same name", []Sample{ok, ok}, nil, `two samples are named "s1"`},
		{"no data", []Sample{{Name: "x"}}, nil, `sample "x" has no data`},
		{"no shared gene", []Sample{ok, {Name: "s2", Data: toyCounts([]string{bcC}, []string{"g9"}, 1)}}, nil, "share no gene name"},
		{"nothing matches", []Sample{ok}, annotated([]string{bcC + "-1", bcD + "-1"}),
			`none of the 2 cells of sample "s1" matches an annotation cell: its cells are named like "` + bcA + `" (barcode ` + bcA + `)`},
		{"barcode twice in a sample", []Sample{{Name: "s1", Data: toyCounts([]string{"a:" + bcA, "b:" + bcA}, genes, 1)}}, nil,
			"have the same barcode " + bcA},
		{"missing sample key", []Sample{ok}, annotated([]string{bcA}), "sample column"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			opts := Options{}
			if tc.name == "missing sample key" {
				opts.SampleKey = "batch"
			}
			_, _, err := Merge(tc.samples, tc.ann, opts)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want %q", err, tc.want)
			}
		})
	}
}

func TestKeepUnmatched(t *testing.T) {
	s := Sample{Name: "s1", Data: toyCounts([]string{bcA, bcB, bcC}, []string{"g1"}, 1)}
	ann := annotated([]string{bcB + "-1"})
	ann.Obs.Set("n_counts", []int64{7})
	ann.Obs.Set("ok", []bool{true})
	ann.Obs.Set("note", []string{"x"})
	out, rep, err := Merge([]Sample{s}, ann, Options{KeepUnmatched: true})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(out.Obs.Index, []string{bcB + "-1", "s1:" + bcA, "s1:" + bcC}) {
		t.Fatalf("obs names %q", out.Obs.Index)
	}
	cl, _ := out.Obs.Get("clusters")
	if c := cl.(*anndata.Categorical); !slices.Equal(c.Codes, []int32{0, -1, -1}) {
		t.Errorf("clusters codes %v", c.Codes)
	}
	n, _ := out.Obs.Get("n_counts")
	if v, ok := n.([]float64); !ok || v[0] != 7 || !math.IsNaN(v[1]) {
		t.Errorf("n_counts %#v, want float64 with NaN", n)
	}
	b, _ := out.Obs.Get("ok")
	if v, ok := b.([]float64); !ok || v[0] != 1 || !math.IsNaN(v[2]) {
		t.Errorf("ok %#v", b)
	}
	note, _ := out.Obs.Strings("note")
	if !slices.Equal(note, []string{"x", "", ""}) {
		t.Errorf("note %q", note)
	}
	u := out.Obsm["X_umap"]
	if u.At(0, 0) != 0 || !math.IsNaN(float64(u.At(1, 0))) {
		t.Errorf("X_umap %v", u.Data)
	}
	if out.Uns["clusters_colors"] == nil {
		t.Error("clusters_colors not carried over")
	}
	if rep.Samples[0].Matched != 1 || rep.Samples[0].Unmatched != 2 || rep.Cells != 3 {
		t.Errorf("report %+v", rep)
	}
	if !strings.Contains(rep.String(), "s1: 3 cells, 1 genes, 1 matched, 2 unmatched [*-1: 1]") {
		t.Errorf("report text %q", rep.String())
	}
}

func TestConcatOnly(t *testing.T) {
	a := toyCounts([]string{bcA, bcB}, []string{"g1", "g2"}, 1)
	a.Obs.Set("n", []int64{1, 2})
	a.Obs.Set("only_a", []string{"x", "y"})
	a.Layers["ambiguous"] = array.NewCSR(2, 2)
	a.Var.Set("gene_ids", []string{"G1", "G2"})
	b := toyCounts([]string{bcA}, []string{"g2", "g1"}, 5)
	b.Obs.Set("n", []float64{3.5})
	b.X = array.NewDense(1, 2) // dense X: stacked into CSR
	var notes []string
	out, rep, err := Merge([]Sample{{Name: "a", Data: a}, {Name: "b", Data: b}}, nil,
		Options{Logf: func(f string, args ...any) { notes = append(notes, f) }})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(out.Obs.Index, []string{"a:" + bcA, "a:" + bcB, "b:" + bcA}) {
		t.Errorf("obs names %q", out.Obs.Index)
	}
	ids, _ := out.Var.Strings("gene_ids")
	if !slices.Equal(ids, []string{"G1", "G2"}) {
		t.Errorf("var gene_ids %q", ids)
	}
	sp := array.AsCSR(out.Layers["spliced"])
	if err := sp.Validate(); err != nil {
		t.Fatal(err)
	}
	if d := sp.ToDense(); !slices.Equal(d.Row(2), []float32{5.1, 5}) {
		t.Errorf("sample b row %v: genes not realigned", d.Row(2))
	}
	n, _ := out.Obs.Get("n")
	if v, ok := n.([]float64); !ok || !slices.Equal(v, []float64{1, 2, 3.5}) {
		t.Errorf("n %#v", n)
	}
	if !slices.Equal(rep.DroppedLayers, []string{"ambiguous"}) || !slices.Equal(rep.DroppedColumns, []string{"only_a"}) {
		t.Errorf("dropped %q %q", rep.DroppedLayers, rep.DroppedColumns)
	}
	if len(notes) != 2 {
		t.Errorf("notes %q", notes)
	}
	if out.X == nil {
		t.Error("X dropped although every sample has one")
	}
}
