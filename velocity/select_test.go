package velocity

import (
	"testing"
)

func count(b []bool) int { return countTrue(b) }

func TestFitCells(t *testing.T) {
	ramp := func(n int) []float32 {
		x := make([]float32, n)
		for i := range x {
			x[i] = float32(i)
		}
		return x
	}
	zeros := func(n int) []float32 { return make([]float32, n) }
	perc := [2]float64{5, 95}

	t.Run("upper 5 percent of 100 distinct cells", func(t *testing.T) {
		// n − 1 − floor(0.95·(n−1)) = 99 − 94 = 5 cells: the five largest.
		sel := FitCells(ramp(100), zeros(100), false, perc)
		if got := count(sel); got != 5 {
			t.Fatalf("%d cells selected, want 5", got)
		}
		for i := 95; i < 100; i++ {
			if !sel[i] {
				t.Errorf("cell %d not selected", i)
			}
		}
	})
	t.Run("offset uses both tails", func(t *testing.T) {
		sel := FitCells(ramp(100), zeros(100), true, perc)
		if got := count(sel); got != 10 {
			t.Fatalf("%d cells selected, want 10", got)
		}
		for _, i := range []int{0, 4, 95, 99} {
			if !sel[i] {
				t.Errorf("cell %d not selected", i)
			}
		}
		if sel[5] || sel[94] {
			t.Error("cells 5 and 94 lie inside the bounds but were selected")
		}
	})
	t.Run("all-zero gene selects every cell", func(t *testing.T) {
		if got := count(FitCells(zeros(50), zeros(50), false, perc)); got != 50 {
			t.Errorf("%d cells selected, want 50", got)
		}
	})
	t.Run("96 percent zeros selects every cell", func(t *testing.T) {
		x, y := zeros(100), zeros(100)
		for i := 96; i < 100; i++ {
			x[i], y[i] = float32(i), 1
		}
		if got := count(FitCells(x, y, false, perc)); got != 100 {
			t.Errorf("%d cells selected, want all 100 (the 95th percentile is 0)", got)
		}
	})
	t.Run("ties at the percentile are included", func(t *testing.T) {
		// 90 cells at 1 and 10 at 2: the bound is 2 and all ten tied cells are in.
		x := make([]float32, 100)
		for i := range x {
			x[i] = 1
			if i%10 == 0 {
				x[i] = 2
			}
		}
		sel := FitCells(x, zeros(100), false, perc)
		if got := count(sel); got != 10 {
			t.Fatalf("%d cells selected, want 10", got)
		}
		for i := 0; i < 100; i += 10 {
			if !sel[i] {
				t.Errorf("tied cell %d not selected", i)
			}
		}
	})
	t.Run("maximum below 1e-3 is clipped", func(t *testing.T) {
		// x contributes x/1e-3 = 0.1 to cells 0..9, not x/max(x) = 1; so the
		// largest score is cell 19's y alone (1), not cell 9's 9/19 + 1.
		x, y := zeros(20), ramp(20)
		for i := 0; i < 10; i++ {
			x[i] = 1e-4
		}
		sel := FitCells(x, y, false, perc)
		if !sel[19] || sel[9] || count(sel) != 1 {
			t.Errorf("selected %v, want only cell 19", sel)
		}
	})
	t.Run("empty input", func(t *testing.T) {
		if got := FitCells(nil, nil, false, perc); len(got) != 0 {
			t.Errorf("got %v", got)
		}
	})
}

// The stochastic first-moment weights add the cells whose spliced value
// alone is extreme.
func TestStochasticCellsUnion(t *testing.T) {
	n := 100
	x, y := make([]float32, n), make([]float32, n)
	for i := range x {
		x[i] = float32(i) // spliced rises with i
		y[i] = float32(n - i)
	}
	y[0] = 1000 // cell 0 scores high through y alone
	w := make([]bool, n)
	z, scratch := make([]float32, n), make([]float32, n)
	sel := selectByScore(make([]bool, n), z, scratch, x, y, false, [2]float64{5, 95})
	stochasticCells(w, x, y, z, scratch, sel, false, [2]float64{5, 95})
	joint := FitCells(x, y, false, [2]float64{5, 95})
	for i := range w {
		if joint[i] && !w[i] {
			t.Errorf("cell %d of the joint selection missing", i)
		}
	}
	for i := 95; i < 100; i++ {
		if !w[i] {
			t.Errorf("cell %d with extreme x missing", i)
		}
	}
	// Joint top five: 99, 0, 98, 97, 96; x adds 95.
	if joint[95] || count(w) != 6 {
		t.Errorf("joint selects cell 95: %v; union has %d cells, want 6", joint[95], count(w))
	}
}
