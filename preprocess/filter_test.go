package preprocess

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/velo-rna/velo/array"
)

func TestSetInitialSize(t *testing.T) {
	s := dense([]float32{1, 2, 0}, []float32{0, 0, 0}, []float32{4, 0, 5})
	u := dense([]float32{0, 1, 1}, []float32{3, 0, 0}, []float32{0, 0, 0})
	a := newData(s, u)
	if err := SetInitialSize(context.Background(), a, SetInitialSizeOptions{}); err != nil {
		t.Fatal(err)
	}
	want := map[string][]float64{
		"initial_size_spliced":   {3, 0, 9},
		"initial_size_unspliced": {2, 3, 0},
		"initial_size":           {5, 3, 9},
	}
	for col, w := range want {
		got, err := a.Obs.Float64(col)
		if err != nil || !slices.Equal(got, w) {
			t.Errorf("obs %s = %v (%v), want %v", col, got, err, w)
		}
	}
	// A second call after filtering keeps the first totals.
	a.SubsetVars([]int{0})
	if err := SetInitialSize(context.Background(), a, SetInitialSizeOptions{}); err != nil {
		t.Fatal(err)
	}
	if got, _ := a.Obs.Float64("initial_size"); !slices.Equal(got, want["initial_size"]) {
		t.Errorf("initial_size overwritten: %v", got)
	}
}

func TestCountValidation(t *testing.T) {
	cases := []struct {
		name  string
		value float32
		want  string
	}{
		{"negative", -1, `layer spliced has negative values (cell 1 "cell1", gene 2 "gene2": -1)`},
		{"NaN", float32(nan()), `layer spliced has non-finite values (cell 1 "cell1", gene 2 "gene2": NaN)`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := dense([]float32{1, 2, 3}, []float32{1, 1, tc.value})
			a := newData(dense([]float32{1, 2, 3}, []float32{1, 1, 1}), dense([]float32{0, 1, 1}, []float32{1, 0, 0}))
			a.Layers["spliced"] = s.ToCSR()
			err := FilterGenes(context.Background(), a, FilterGenesOptions{})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func TestFilterGenesThresholds(t *testing.T) {
	// Shared counts per gene (s+u over cells where both > 0):
	// g0: cell0 10+10 = 20; g1: 19; g2: cells 0 and 1: (5+5)+(6+6) = 22
	// but spliced only in cell 2 counts nothing; g3: 0 (never both).
	s := dense(
		[]float32{10, 10, 5, 7},
		[]float32{0, 0, 6, 0},
		[]float32{3, 0, 0, 0},
	)
	u := dense(
		[]float32{10, 9, 5, 0},
		[]float32{4, 0, 6, 0},
		[]float32{0, 0, 0, 9},
	)
	cases := []struct {
		name string
		opts FilterGenesOptions
		keep []string
		log  string
	}{
		{"no thresholds", FilterGenesOptions{}, []string{"gene0", "gene1", "gene2", "gene3"}, ""},
		{"shared counts inclusive", FilterGenesOptions{MinSharedCounts: Int(20)}, []string{"gene0", "gene2"},
			"Filtered out 2 genes that are detected 20 counts (shared)."},
		{"shared cells inclusive", FilterGenesOptions{MinSharedCells: Int(2)}, []string{"gene2"},
			"Filtered out 3 genes that are detected in less than 2 cells (shared)."},
		{"spliced counts range", FilterGenesOptions{MinCounts: Int(7), MaxCounts: Int(11)}, []string{"gene1", "gene2", "gene3"}, ""},
		{"spliced cells", FilterGenesOptions{MinCells: Int(2)}, []string{"gene0", "gene2"}, ""},
		{"unspliced counts", FilterGenesOptions{MinCountsU: Int(10)}, []string{"gene0", "gene2"}, ""},
		{"unspliced max cells", FilterGenesOptions{MaxCellsU: Int(1)}, []string{"gene1", "gene3"}, ""},
		{"retain", FilterGenesOptions{MinSharedCounts: Int(20), RetainGenes: []string{"gene3"}}, []string{"gene0", "gene2", "gene3"}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a := newData(s, u)
			var log []string
			tc.opts.Logf = func(f string, args ...any) { log = append(log, sprintf(f, args...)) }
			if err := FilterGenes(context.Background(), a, tc.opts); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(a.Var.Index, tc.keep) {
				t.Errorf("kept %v, want %v", a.Var.Index, tc.keep)
			}
			if tc.log != "" && !slices.Contains(log, tc.log) {
				t.Errorf("log %q, want %q", log, tc.log)
			}
			// Layers and X are subset together; initial sizes cover all genes.
			if _, c := a.Layers["unspliced"].Shape(); c != len(tc.keep) {
				t.Errorf("unspliced has %d genes", c)
			}
			if got, _ := a.Obs.Float64("initial_size_spliced"); !slices.Equal(got, []float64{32, 6, 3}) {
				t.Errorf("initial_size_spliced = %v", got)
			}
		})
	}
}

func TestFilterGenesErrors(t *testing.T) {
	s := dense([]float32{1, 2}, []float32{0, 3})
	u := dense([]float32{1, 0}, []float32{0, 1})
	a := newData(s, u)
	err := FilterGenes(context.Background(), a, FilterGenesOptions{MinSharedCounts: Int(20)})
	if err == nil || !strings.Contains(err.Error(), "no genes left after filtering (min_shared_counts=20") {
		t.Errorf("error %v", err)
	}
	a = newData(s, u)
	delete(a.Layers, "unspliced")
	err = FilterGenes(context.Background(), a, FilterGenesOptions{MinSharedCounts: Int(1)})
	if err == nil || !strings.Contains(err.Error(), `layer "unspliced"`) {
		t.Errorf("error %v", err)
	}
	a = newData(s, u)
	a.Layers["spliced"] = array.NewDense(2, 3)
	if err := FilterGenes(context.Background(), a, FilterGenesOptions{}); err == nil || !strings.Contains(err.Error(), "layer spliced is 2×3") {
		t.Errorf("shape error %v", err)
	}
	empty := newData(array.NewDense(0, 2), array.NewDense(0, 2))
	if err := FilterGenes(context.Background(), empty, FilterGenesOptions{}); err == nil || !strings.Contains(err.Error(), "no cells") {
		t.Errorf("zero cells: %v", err)
	}
}
