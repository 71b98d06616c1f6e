package grid

import (
	"fmt"
	"math"
	"reflect"
	"testing"
)

func rotation(x, y float64) (float64, float64) { return -(y - 5), x - 5 }

// Streamlines of a rotation about (5, 5) are circular arcs: along each line
// the distance to the centre stays put and the flow runs anticlockwise. As
// in matplotlib, seeds on the square spiral give rings only a mask cell
// apart, so most arcs end where they meet a neighbouring ring; several still
// cover more than half a turn.
func TestStreamlinesOfRotationAreCircles(t *testing.T) {
	emb, vemb := cells(51, 7, rotation)
	res, err := VelocityOnGrid(emb, vemb, Options{Stream: true})
	if err != nil {
		t.Fatal(err)
	}
	lines := Streamlines(res, 0)
	if len(lines) < 10 {
		t.Fatalf("%d streamlines, want a field of them", len(lines))
	}
	longArcs := 0
	for n, l := range lines {
		if len(l.X) < 2 || len(l.Width) != len(l.X)-1 || l.Arrow < 0 || l.Arrow >= len(l.Width) {
			t.Fatalf("line %d malformed: %d points, %d widths, arrow %d", n, len(l.X), len(l.Width), l.Arrow)
		}
		var rmin, rmax, rsum, turn float64
		rmin = math.Inf(1)
		for k := range l.X {
			r := math.Hypot(l.X[k]-5, l.Y[k]-5)
			rmin, rmax, rsum = math.Min(rmin, r), math.Max(rmax, r), rsum+r
			if k > 0 {
				a0 := math.Atan2(l.Y[k-1]-5, l.X[k-1]-5)
				a1 := math.Atan2(l.Y[k]-5, l.X[k]-5)
				turn += math.Remainder(a1-a0, 2*math.Pi)
			}
		}
		rmean := rsum / float64(len(l.X))
		if rmean < 1 || rmean > 4 {
			continue // near the masked centre or the square's border
		}
		// RK12 at tolerance 0.003 axes units plus the grid's smoothing:
		// a drift of a few per cent of the radius at most.
		if (rmax-rmin)/rmean > 0.1 {
			t.Errorf("line %d: radius varies from %.3f to %.3f", n, rmin, rmax)
		}
		if turn <= 0 {
			t.Errorf("line %d turns %.2f rad, want anticlockwise", n, turn)
		}
		if turn > math.Pi {
			longArcs++
		}
		for k, w := range l.Width {
			// Width ∝ speed ∝ radius here: 2·r/r_max with r_max ≈ 5√2.
			want := 2 * math.Hypot(l.X[k]-5, l.Y[k]-5) / (5 * math.Sqrt2)
			if math.Abs(w-want) > 0.15 {
				t.Fatalf("line %d segment %d: width %.3f, want about %.3f", n, k, w, want)
			}
		}
	}
	// Measured: 4 of them.
	if longArcs < 3 {
		t.Errorf("only %d lines span more than half a circle", longArcs)
	}
	if again := Streamlines(res, 0); !reflect.DeepEqual(again, lines) {
		t.Error("streamlines differ between two runs")
	}
}

// Lines never enter grid cells with a masked corner.
func TestStreamlinesAvoidMaskedPoints(t *testing.T) {
	emb, vemb := cells(51, 8, func(x, y float64) (float64, float64) { return 1, 0.2 })
	res, err := VelocityOnGrid(emb, vemb, Options{Stream: true, CutoffPerc: -1})
	if err != nil {
		t.Fatal(err)
	}
	// Mask a vertical band of grid columns.
	for g := range res.U {
		if i := g % res.Nx; i >= 20 && i <= 22 {
			res.Show[g] = false
			res.U[g] = math.NaN()
		}
	}
	lines := Streamlines(res, 1)
	if len(lines) == 0 {
		t.Fatal("no streamlines")
	}
	dx := res.X[1] - res.X[0]
	for n, l := range lines {
		for k := range l.X {
			i := (l.X[k] - res.X[0]) / dx
			if i > 19.999 && i < 23.001 && k < len(l.X)-1 {
				t.Fatalf("line %d passes column %.2f inside the masked band", n, i)
			}
		}
	}
}

func TestSpiralVisitsEveryCellOnce(t *testing.T) {
	for _, n := range []int{2, 3, 30, 60} {
		seen := make(map[[2]int]bool)
		s := spiral(n, n)
		for _, c := range s {
			if c[0] < 0 || c[0] >= n || c[1] < 0 || c[1] >= n || seen[c] {
				t.Fatalf("n=%d: cell %v repeated or outside", n, c)
			}
			seen[c] = true
		}
		if len(seen) != n*n {
			t.Fatalf("n=%d: %d cells visited, want %d", n, len(seen), n*n)
		}
		if s[0] != [2]int{0, 0} || s[1] != [2]int{1, 0} {
			t.Fatalf("n=%d: spiral starts %v, want the bottom-left corner going right", n, s[:2])
		}
	}
}

// BenchmarkVelocityOnGrid times the stream-mode grid and its streamlines.
func BenchmarkVelocityOnGrid(b *testing.B) {
	for _, side := range []int{61} {
		emb, vemb := cells(side, 9, rotation)
		b.Run(fmt.Sprintf("cells=%d", side*side), func(b *testing.B) {
			for b.Loop() {
				res, err := VelocityOnGrid(emb, vemb, Options{Stream: true})
				if err != nil {
					b.Fatal(err)
				}
				Streamlines(res, 0)
			}
		})
	}
}
