package preprocess

import (
	"context"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/velo-rna/velo/anndata"
	"github.com/velo-rna/velo/array"
)

func near(a, b, rel float64) bool {
	return math.Abs(a-b) <= rel*math.Max(math.Abs(b), 1e-30) || a == b
}

func TestNormalizePerCell(t *testing.T) {
	// Sizes 4, 8, 0, 12: median (4+8)/2 = 6, factors 2/3, 4/3, 1 (zero
	// size), 2. Every non-empty row becomes [1.5, 4.5].
	rows := [][]float32{{1, 3}, {2, 6}, {0, 0}, {3, 9}}
	want := [][]float64{{1.5, 4.5}, {1.5, 4.5}, {0, 0}, {1.5, 4.5}}
	for _, sparse := range []bool{true, false} {
		s := dense(rows...)
		a := anndata.New(names("c", 4), names("g", 2))
		a.X = s.Clone()
		a.Layers["spliced"] = s.Clone()
		if sparse {
			a.X = s.ToCSR()
			a.Layers["spliced"] = s.ToCSR()
		}
		var log []string
		err := NormalizePerCell(context.Background(), a, NormalizePerCellOptions{
			Logf: func(f string, args ...any) { log = append(log, sprintf(f, args...)) }})
		if err != nil {
			t.Fatal(err)
		}
		for _, key := range []string{"X", "spliced"} {
			m, _ := getMatrix(a, key)
			d := array.AsDense(m)
			for i, r := range want {
				for j, v := range r {
					if !near(float64(d.At(i, j)), v, 1e-6) {
						t.Errorf("sparse=%v %s[%d,%d] = %v, want %v", sparse, key, i, j, d.At(i, j), v)
					}
				}
			}
		}
		if got, _ := a.Obs.Float64("n_counts"); !slices.Equal(got, []float64{6, 6, 0, 6}) {
			t.Errorf("n_counts = %v", got)
		}
		if !slices.Contains(log, "Normalized count data: X, spliced.") {
			t.Errorf("log %q", log)
		}
	}
}

func TestNormalizeUsesInitialSize(t *testing.T) {
	// Gene 2 is filtered out after the initial sizes are recorded: rows
	// then sum to target·(kept/initial), not to the target.
	s := dense([]float32{1, 1, 2}, []float32{2, 2, 0}, []float32{3, 3, 6})
	u := dense([]float32{1, 0, 1}, []float32{0, 1, 1}, []float32{1, 1, 0})
	a := newData(s, u)
	ctx := context.Background()
	if err := SetInitialSize(ctx, a, SetInitialSizeOptions{}); err != nil {
		t.Fatal(err)
	}
	a.SubsetVars([]int{0, 1})
	if err := NormalizePerCell(ctx, a, NormalizePerCellOptions{}); err != nil {
		t.Fatal(err)
	}
	// spliced sizes 4, 4, 12: median 4; rows sum 2·(4/4), 4·(4/4), 6·(4/12).
	sums := rowSums32(a.Layers["spliced"])
	for i, w := range []float64{2, 4, 2} {
		if !near(float64(sums[i]), w, 1e-6) {
			t.Errorf("spliced row %d sums to %v, want %v", i, sums[i], w)
		}
	}
}

func TestNormalizeSkipRules(t *testing.T) {
	cases := []struct {
		name    string
		value   float32
		enforce bool
		scaled  bool
	}{
		{"counts", 3, false, true},
		{"just above an integer", 3.0005, false, true},
		{"just below an integer", 2.9999, false, false}, // 2.9999 mod 1 = 0.9999
		{"fractional", 0.5, false, false},
		{"fractional enforced", 0.5, true, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			// Sizes v+1, 2, 8: the median is v+1, so row 2 changes
			// whenever X is normalised.
			x := dense([]float32{tc.value, 1}, []float32{1, 1}, []float32{6, 2})
			a := anndata.New(names("c", 3), names("g", 2))
			a.X = x.ToCSR()
			var log []string
			err := NormalizePerCell(context.Background(), a, NormalizePerCellOptions{Enforce: tc.enforce,
				Logf: func(f string, args ...any) { log = append(log, sprintf(f, args...)) }})
			if err != nil {
				t.Fatal(err)
			}
			changed := array.AsDense(a.X).At(2, 0) != 6
			if changed != tc.scaled {
				t.Errorf("scaled = %v, want %v", changed, tc.scaled)
			}
			warned := slices.ContainsFunc(log, func(s string) bool { return strings.Contains(s, "Did not normalize X") })
			if warned == tc.scaled {
				t.Errorf("warning logged = %v, want %v (%q)", warned, !tc.scaled, log)
			}
		})
	}
}

func TestNormalizeZeroMedian(t *testing.T) {
	// Sizes 0, 0, 5: the median 0 becomes target 1, so the last row is
	// divided by 5 and the empty rows stay empty.
	x := dense([]float32{0, 0}, []float32{0, 0}, []float32{5, 0})
	a := anndata.New(names("c", 3), names("g", 2))
	a.X = x
	if err := NormalizePerCell(context.Background(), a, NormalizePerCellOptions{}); err != nil {
		t.Fatal(err)
	}
	got := array.AsDense(a.X).Data
	if !slices.Equal(got, []float32{0, 0, 0, 0, 1, 0}) {
		t.Errorf("X = %v", got)
	}
}

func TestNormalizeOptions(t *testing.T) {
	x := dense([]float32{2, 2}, []float32{1, 3}, []float32{6, 2})
	a := anndata.New(names("c", 3), names("g", 2))
	a.X = x.ToCSR()
	err := NormalizePerCell(context.Background(), a, NormalizePerCellOptions{CountsPerCellAfter: Float(10), KeyNCounts: "total"})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := a.Obs.Float64("total")
	for i, v := range got {
		if !near(v, 10, 1e-6) {
			t.Errorf("row %d sums to %v, want 10", i, v)
		}
	}
	// max_proportion_per_cell = 0.5: gene 2 exceeds half of cell 2's size
	// (20 > 12), so sizes count genes 0 and 1 only (4, 4, 4) and nothing
	// changes; without it row 2 (size 24, median 6) is divided by 4.
	y := dense([]float32{2, 2, 2}, []float32{2, 2, 2}, []float32{2, 2, 20})
	for _, p := range []float64{0.5, 0} {
		a = anndata.New(names("c", 3), names("g", 3))
		a.X = y.ToCSR()
		if err := NormalizePerCell(context.Background(), a, NormalizePerCellOptions{MaxProportionPerCell: p}); err != nil {
			t.Fatal(err)
		}
		want := 20.0
		if p == 0 {
			want = 5
		}
		if got := array.AsDense(a.X).At(2, 2); !near(float64(got), want, 1e-6) {
			t.Errorf("max proportion %v: X[2,2] = %v, want %v", p, got, want)
		}
	}
}

func TestGeneCountCorr(t *testing.T) {
	// More than 3000 genes: var gene_count_corr holds the Pearson
	// correlation with the number of detected genes, rounded to 4 places.
	const n, g = 5, 3001
	x := array.NewDense(n, g)
	for i := 0; i < n; i++ {
		for j := 0; j <= i; j++ {
			x.Set(i, 3+j, 1) // cell i detects i+1 of genes 3..7 …
		}
		x.Set(i, 0, float32(10)) // … gene 0 is constant,
		x.Set(i, 1, float32(i))  // gene 1 grows with i,
	}
	a := anndata.New(names("c", n), names("g", g))
	a.X = x.ToCSR()
	if err := NormalizePerCell(context.Background(), a, NormalizePerCellOptions{UseCurrentSize: true, CountsPerCellAfter: Float(1)}); err != nil {
		t.Fatal(err)
	}
	corr, err := a.Var.Float64("gene_count_corr")
	if err != nil {
		t.Fatal(err)
	}
	// Independent two-pass Pearson on the normalised values.
	d := array.AsDense(a.X)
	detected := make([]float64, n)
	for i := 0; i < n; i++ {
		for _, v := range d.Row(i) {
			if v > 0 {
				detected[i]++
			}
		}
	}
	for _, j := range []int{0, 1, 3, 7} {
		col := make([]float64, n)
		for i := range col {
			col[i] = float64(d.At(i, j))
		}
		want := math.Round(pearson(col, detected)*1e4) / 1e4
		if !(corr[j] == want || (math.IsNaN(want) && math.IsNaN(corr[j])) || math.Abs(corr[j]-want) <= 1e-4) {
			t.Errorf("gene %d: %v, want %v", j, corr[j], want)
		}
	}
}

func pearson(x, y []float64) float64 {
	var mx, my float64
	for i := range x {
		mx += x[i]
		my += y[i]
	}
	mx /= float64(len(x))
	my /= float64(len(y))
	var sxy, sxx, syy float64
	for i := range x {
		sxy += (x[i] - mx) * (y[i] - my)
		sxx += (x[i] - mx) * (x[i] - mx)
		syy += (y[i] - my) * (y[i] - my)
	}
	return sxy / math.Sqrt(sxx*syy)
}

func TestLog1p(t *testing.T) {
	a := newData(dense([]float32{0, 1}, []float32{3, 0}), dense([]float32{1, 0}, []float32{0, 0}))
	if err := Log1p(context.Background(), a, Log1pOptions{}); err != nil {
		t.Fatal(err)
	}
	got := array.AsDense(a.X).Data
	want := []float64{math.Log(2), math.Log(2), math.Log(4), 0}
	for k, w := range want {
		if !near(float64(got[k]), w, 1e-7) {
			t.Errorf("X[%d] = %v, want %v", k, got[k], w)
		}
	}
	if d := array.AsDense(a.Layers["spliced"]).Data; !slices.Equal(d, []float32{0, 1, 3, 0}) {
		t.Errorf("spliced changed: %v", d)
	}
	if m, ok := a.Uns["log1p"].(map[string]any); !ok || len(m) != 0 {
		t.Errorf("uns log1p = %#v", a.Uns["log1p"])
	}
}

func TestNormalizeDoesNotScaleSharedMatrices(t *testing.T) {
	// X and spliced being the same matrix must not be scaled twice.
	s := dense([]float32{1, 3}, []float32{2, 6})
	a := anndata.New(names("c", 2), names("g", 2))
	m := s.ToCSR()
	a.X, a.Layers["spliced"] = m, m
	if err := NormalizePerCell(context.Background(), a, NormalizePerCellOptions{}); err != nil {
		t.Fatal(err)
	}
	x, sp := array.AsDense(a.X), array.AsDense(a.Layers["spliced"])
	if !slices.Equal(x.Data, sp.Data) || !near(float64(x.At(0, 0)), 1.5, 1e-6) {
		t.Errorf("X %v, spliced %v", x.Data, sp.Data)
	}
}
