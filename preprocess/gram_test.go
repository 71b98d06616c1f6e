package preprocess

import (
	"math"
	"math/rand/v2"
	"testing"
)

// The vectorised and scalar kernels compute the same sums, up to the
// rounding of fused multiply-adds.
func TestGramKernelsAgree(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	const g = 300
	p := make([]float64, g*maxBlock)
	for k := range p {
		p[k] = r.NormFloat64()
	}
	for _, nnz := range []int{0, 1, 3, 4, 5, 17, 250} {
		idx := make([]int32, nnz)
		val := make([]float32, nnz)
		for t := range idx {
			idx[t] = int32(r.IntN(g))
			val[t] = float32(r.ExpFloat64())
		}
		for _, b := range []int{4, 8} {
			za, zb := make([]float64, b), make([]float64, b)
			for q := range za {
				za[q] = r.NormFloat64()
			}
			copy(zb, za)
			gatherRow(za, idx, val, p[:g*b])
			gatherGo(zb, idx, val, p[:g*b])
			wa := make([]float64, g*b)
			wb := make([]float64, g*b)
			scatterRow(wa, idx, val, za)
			scatterGo(wb, idx, val, za)
			for q := range za {
				if math.Abs(za[q]-zb[q]) > 1e-12*(1+math.Abs(zb[q])) {
					t.Errorf("b %d, nnz %d: gather %v vs %v", b, nnz, za, zb)
				}
			}
			for k := range wa {
				if math.Abs(wa[k]-wb[k]) > 1e-12*(1+math.Abs(wb[k])) {
					t.Fatalf("b %d, nnz %d: scatter entry %d: %v vs %v", b, nnz, k, wa[k], wb[k])
				}
			}
		}
	}
}
