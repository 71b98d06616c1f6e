package velocity

import (
	"math"
	"math/rand/v2"
	"testing"
)

// The vectorised division gives the scalar quotients bit for bit, for every
// length (full vectors and a tail).
func TestDivideBitExact(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for _, n := range []int{0, 1, 3, 4, 5, 8, 11, 100} {
		src := make([]float32, n)
		for i := range src {
			src[i] = float32(r.NormFloat64() * math.Pow(10, float64(r.IntN(12)-6)))
		}
		d := r.Float64()*3 + 1e-3
		got, want := make([]float64, n), make([]float64, n)
		divide(got, src, d)
		divideGo(want, src, d)
		for i := range want {
			if math.Float64bits(got[i]) != math.Float64bits(want[i]) {
				t.Fatalf("n = %d, element %d: %v vs %v", n, i, got[i], want[i])
			}
		}
	}
}
