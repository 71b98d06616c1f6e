package knn

import (
	"math"
	"math/rand/v2"
	"testing"
)

// The vectorised tail kernel agrees with the scalar one to rounding, and
// both only add to the lanes.
func TestTailDistAgrees(t *testing.T) {
	r := rand.New(rand.NewPCG(4, 5))
	for _, n := range []int{0, 1, 3, 4, 5, 8, 11, 26, 46} {
		qt := make([]float32, n)
		pt := make([]float32, n)
		for i := range qt {
			qt[i] = float32(r.NormFloat64())
			pt[i] = float32(r.NormFloat64())
		}
		head := [4]float64{0.5, 1, 0.25, 2}
		la, lb := head, head
		a := tailDist(&la, qt, pt)
		b := tailDistGo(&lb, qt, pt)
		var want float64
		for l := range head {
			want += head[l]
		}
		for i := range qt {
			d := float64(qt[i]) - float64(pt[i])
			want += d * d
		}
		if math.Abs(a-want) > 1e-13*want || math.Abs(b-want) > 1e-13*want {
			t.Errorf("n = %d: %v and %v, want %v", n, a, b, want)
		}
		if a < (head[0]+head[1])+(head[2]+head[3]) {
			t.Errorf("n = %d: %v below the head sum", n, a)
		}
	}
}
