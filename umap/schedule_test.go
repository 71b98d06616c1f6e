package umap

import (
	"math"
	"math/rand/v2"
	"testing"
)

// The derived schedule must reproduce umap-learn's float64 bookkeeping
// (optimize_layout_euclidean's epoch_of_next_sample and
// epoch_of_next_negative_sample), simulated here as umap-learn runs it:
// which epochs sample an entry and how many negatives each sample draws.
// Float64 accumulation may move a sample by one epoch where t/ε is an exact
// integer; random weights avoid those ties, so all must agree.
func TestScheduleMatchesUmapLearn(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	const epochs, negRate = 500, 5
	weights := []float64{1, 0.5, 0.25, 1.0 / 500}
	for range 2000 {
		weights = append(weights, 1.0/500+(1-1.0/500)*rng.Float64())
	}
	for _, w := range weights {
		eps := 1 / w
		epn := eps / negRate
		next, nextNeg := eps, epn
		rate := uint64(math.Round(w * (1 << rateShift)))
		var samples, negatives int
		for n := 1; n < epochs; n++ {
			wantNeg, wantDue := 0, next <= float64(n)
			if wantDue {
				wantNeg = int((float64(n) - nextNeg) / epn)
				next += eps
				nextNeg += float64(wantNeg) * epn
				samples++
				negatives += wantNeg
			}
			gotNeg, gotDue := negativesDue(uint64(n), rate, negRate)
			if gotDue != wantDue || gotNeg != wantNeg {
				t.Fatalf("weight %v epoch %d: sampled %v with %d negatives, umap-learn %v with %d",
					w, n, gotDue, gotNeg, wantDue, wantNeg)
			}
		}
		if w == 1 && (samples != epochs-1 || negatives != negRate*(epochs-1)-1) {
			t.Errorf("weight 1: %d samples, %d negatives", samples, negatives)
		}
	}
}
