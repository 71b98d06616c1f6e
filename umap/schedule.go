package umap

// Edge-sampling schedule, umap-learn's epochs_per_sample bookkeeping derived
// from each entry's rate instead of stored per entry.
//
// umap-learn samples an entry of weight w every ε = max w / w epochs: at
// epoch t it is due when epoch_of_next_sample ≤ t, which then grows by ε, so
// by the end of epoch t it has been sampled ⌊t/ε⌋ = ⌊t·r⌋ times, r = w/max w.
// Its negative samples follow epoch_of_next_negative_sample, which starts at
// ε/k (k the negative sample rate) and after a sample at epoch t stands at
// (ε/k)·⌊k·t·r⌋: the sample at epoch t draws ⌊k·t·r⌋ − ⌊k·t′·r⌋
// negatives, t′ the epoch of the previous sample (⌊k·t·r⌋ − 1 for the first).
// Both are functions of t and r alone, computed here exactly in fixed point,
// where umap-learn accumulates float64 sums whose rounding can move a
// sample by one epoch at exact multiples.

// rateShift is the fixed-point position of rates: r is stored as
// round(r·2³¹), so rates from 1/2³¹ to 1 fit a uint32 and products with
// epochs (and the negative sample rate) stay far below 2⁶⁴.
const rateShift = 31

// sampled returns how many times an entry of the given fixed-point rate has
// been sampled by the end of epoch t.
func sampled(t, rate uint64) uint64 { return t * rate >> rateShift }

// negativesDue returns the number of negative samples of an entry at epoch
// t ≥ 1 and whether the entry is sampled then at all; negRate is umap-learn's
// negative_sample_rate.
func negativesDue(t, rate, negRate uint64) (int, bool) {
	before := sampled(t-1, rate)
	if sampled(t, rate) == before {
		return 0, false
	}
	total := sampled(negRate*t, rate)
	if before == 0 {
		return int(total - 1), true
	}
	// The previous sample was at the first epoch t′ with t′·rate ≥ before·2³¹.
	prev := (before<<rateShift + rate - 1) / rate
	return int(total - sampled(negRate*prev, rate)), true
}
