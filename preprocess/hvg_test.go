package preprocess

import (
	"context"
	"math"
	"slices"
	"testing"

	"github.com/velo-rna/velo/anndata"
)

func TestCutEdges(t *testing.T) {
	// pandas.cut([0, .25, .5, 1], 4): linspace(0, 1, 5) with the first edge
	// lowered by 0.1 % of the range; bins are right-closed.
	x := []float32{0, 0.25, 0.5, 1}
	edges := cutEdges(x, 4)
	want := []float64{-0.001, 0.25, 0.5, 0.75, 1}
	for k := range want {
		if math.Abs(edges[k]-want[k]) > 1e-15 {
			t.Fatalf("edges %v, want %v", edges, want)
		}
	}
	for k, b := range []int{0, 0, 1, 3} {
		if got := binOf(edges, x[k]); got != b {
			t.Errorf("bin of %v = %d, want %d", x[k], got, b)
		}
	}
	// A constant input is widened by 0.1 % on both sides.
	c := cutEdges([]float32{2, 2}, 2)
	if math.Abs(c[0]-1.998) > 1e-12 || math.Abs(c[2]-2.002) > 1e-12 || binOf(c, 2) < 0 {
		t.Errorf("constant edges %v", c)
	}
}

func TestSeuratNorm(t *testing.T) {
	// Two bins, (−0.001, 0.5] and (0.5, 1]: genes 0–2 and 4 in the first,
	// gene 3 alone in the second. First bin dispersions 1, 2, 3 (gene 4's
	// NaN is left out): mean 2, std 1. A single-gene bin gives 1; NaN → 0.
	mean := []float32{0, 0.1, 0.2, 1, 0.3}
	disp := []float32{1, 2, 3, 5, float32(math.NaN())}
	got := seuratNorm(mean, disp, 2)
	want := []float64{-1, 0, 1, 1, 0}
	for g := range want {
		if math.Abs(got[g]-want[g]) > 1e-6 {
			t.Errorf("gene %d: %v, want %v", g, got[g], want[g])
		}
	}
}

func TestMeanVar32(t *testing.T) {
	m, v := meanVar32(dense([]float32{1, 0}, []float32{2, 0}, []float32{3, 0}).ToCSR())
	// float32 as scVelo: (14/3 − 2²)·3/2 = 0.99999976.
	if m[0] != 2 || math.Abs(float64(v[0])-1) > 3e-7 || m[1] != 0 || v[1] != 0 {
		t.Errorf("mean %v, var %v", m, v)
	}
}

// hvgData has genes with well separated means, each alone in its mean bin,
// so every normalised dispersion is 1 (a tie), except gene 3, which is
// constant (dispersion 0 → NaN → normalised 0).
func hvgData() *anndata.AnnData {
	x := dense(
		[]float32{1, 10, 100, 5},
		[]float32{3, 30, 300, 5},
		[]float32{2, 50, 900, 5},
	)
	a := anndata.New(names("c", 3), names("g", 4))
	a.X = x.ToCSR()
	return a
}

func TestFilterGenesDispersion(t *testing.T) {
	cases := []struct {
		name    string
		opts    FilterGenesDispersionOptions
		keep    []string
		hv      []bool
		columns bool
	}{
		{"ties at the cut-off are kept", FilterGenesDispersionOptions{NTopGenes: 1},
			[]string{"g0", "g1", "g2"}, []bool{true, true, true, false}, true},
		{"fewer genes than n_top_genes: nothing happens", FilterGenesDispersionOptions{NTopGenes: 5},
			[]string{"g0", "g1", "g2", "g3"}, nil, false},
		{"no subset", FilterGenesDispersionOptions{NTopGenes: 1, NoSubset: true},
			[]string{"g0", "g1", "g2", "g3"}, []bool{true, true, true, false}, true},
		{"cut-offs: disp_norm 1 > 0.5 but means above 3 (log1p) fail", FilterGenesDispersionOptions{NoSubset: true},
			[]string{"g0", "g1", "g2", "g3"}, []bool{true, false, false, false}, true},
		{"retain", FilterGenesDispersionOptions{NTopGenes: 1, RetainGenes: []string{"g3"}},
			[]string{"g0", "g1", "g2", "g3"}, []bool{true, true, true, false}, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a := hvgData()
			if err := FilterGenesDispersion(context.Background(), a, tc.opts); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(a.Var.Index, tc.keep) {
				t.Errorf("genes %v, want %v", a.Var.Index, tc.keep)
			}
			if !tc.columns {
				if a.Var.Has("highly_variable") || a.Var.Has("means") {
					t.Error("var columns written although skipped")
				}
				return
			}
			hv, err := a.Var.Bool("highly_variable")
			if err != nil {
				t.Fatal(err)
			}
			if len(hv) == len(tc.hv) && !slices.Equal(hv, tc.hv) {
				t.Errorf("highly_variable %v, want %v", hv, tc.hv)
			}
			for _, c := range []string{"means", "dispersions", "dispersions_norm"} {
				if !a.Var.Has(c) {
					t.Errorf("var %s missing", c)
				}
			}
		})
	}
}
