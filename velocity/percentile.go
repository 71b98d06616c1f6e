package velocity

import (
	"math"
	"math/bits"
	"slices"
)

// percentile returns numpy's default ("linear") percentile p ∈ [0, 100] of
// data, as np.percentile computes it for one column of a 2-D array in numpy
// 1.24 (scVelo's reference environment): the position (n−1)·p/100 splits
// into order statistics a ≤ b and a weight t, the difference b − a is formed
// in the data's own precision, and the interpolation in float64
// (a + (b−a)·t, or b − (b−a)·(1−t) when t ≥ 0.5). Any NaN in data gives NaN.
//
// scratch is overwritten; it must have len(data). The data itself is not
// modified. data must not be empty.
func percentile[T float32 | float64](data, scratch []T, p float64) float64 {
	lo, hi, t := virtualIndex(len(data), p)
	a, b, ok := orderStats(data, scratch, lo, hi)
	if !ok {
		return math.NaN()
	}
	return lerp(a, b, t)
}

// Sampling parameters of orderStats: a sorted sample of evenly spaced
// values brackets the wanted rank by ± a slack of about 2.4 standard
// deviations of a sample rank near the 95th percentile, so that most calls
// select among a tenth of the values (128 samples, from sampleMin values
// on) or, from largeSample values on, a thirtieth (1024 samples).
const (
	sampleMin   = 512
	largeSample = 16384
)

// sampleShape returns the sample size and slack for n values.
func sampleShape(n int) (size, slack int) {
	if n >= largeSample {
		return 1024, 17
	}
	return 128, 6
}

// orderStats returns the lo-th and hi-th smallest values of data (0-based,
// hi ∈ {lo, lo+1}), or ok = false when data holds a NaN. It first tries to
// narrow the search to the values between two sample quantiles
// (Floyd–Rivest style) and falls back to a quickselect over all values when
// the bracket misses. The result does not depend on which path is taken.
func orderStats[T float32 | float64](data, scratch []T, lo, hi int) (a, b T, ok bool) {
	n := len(data)
	if n >= sampleMin {
		if a, b, ok, done := sampledOrderStats(data, scratch, lo, hi); done {
			return a, b, ok
		}
	}
	copy(scratch, data)
	for _, v := range scratch {
		if v != v {
			return a, b, false
		}
	}
	selectKth(scratch, lo)
	a, b = scratch[lo], scratch[lo]
	if hi != lo {
		b = slices.Min(scratch[lo+1:])
	}
	return a, b, true
}

// sampledOrderStats is the bracketing path of orderStats; done is false when
// the bracket missed the wanted ranks (or the sample held a NaN).
func sampledOrderStats[T float32 | float64](data, scratch []T, lo, hi int) (a, b T, ok, done bool) {
	n := len(data)
	sampleSize, sampleSlack := sampleShape(n)
	sample := scratch[n-sampleSize:]
	for j := range sample {
		sample[j] = data[j*n/sampleSize]
		if sample[j] != sample[j] {
			return a, b, false, false
		}
	}
	r := lo * sampleSize / n
	rl, rh := r-sampleSlack, r+sampleSlack+1
	low, high := T(math.Inf(-1)), T(math.Inf(1))
	if rh < sampleSize-1 {
		selectKth(sample, rh)
		high = sample[rh]
	}
	if rl > 0 {
		selectKth(sample[:min(rh, sampleSize)], rl)
		low = sample[rl]
	}
	// The sample (at the end of scratch) is not needed once low and high
	// are known, so the candidates may overwrite it. Without bounds
	// (low = −∞, high = +∞) every value but NaN is a candidate; a NaN falls
	// in no class, which the counts reveal.
	below, above, m := 0, 0, 0
	cand := scratch[:n]
	for _, v := range data {
		if v < low {
			below++
		} else if v <= high {
			cand[m] = v
			m++
		} else if v > high {
			above++
		}
	}
	if below+above+m != n {
		return a, b, false, true
	}
	if below > lo || hi >= below+m {
		return a, b, false, false
	}
	cand = cand[:m]
	k := lo - below
	selectKth(cand, k)
	a, b = cand[k], cand[k]
	if hi != lo {
		b = slices.Min(cand[k+1:])
	}
	return a, b, true, true
}

// virtualIndex splits numpy's linear-method position (n−1)·p/100 into the
// indices of the two order statistics and the interpolation weight, clamping
// at both ends as numpy's _get_indexes does.
func virtualIndex(n int, p float64) (lo, hi int, t float64) {
	v := float64(n-1) * (p / 100)
	switch {
	case v >= float64(n-1):
		return n - 1, n - 1, 0
	case v < 0:
		return 0, 0, 0
	}
	f := math.Floor(v)
	lo = int(f)
	return lo, lo + 1, v - f
}

// lerp is numpy's _lerp: the difference is rounded to T, the rest is float64.
// The explicit conversions keep the compiler from fusing multiply and add,
// which would change the last bit.
func lerp[T float32 | float64](a, b T, t float64) float64 {
	diff := float64(b - a)
	if t >= 0.5 {
		return float64(b) - float64(diff*(1-t))
	}
	return float64(a) + float64(diff*t)
}

// selectKth reorders x so that x[k] holds the k-th smallest value, every
// element before it is ≤ x[k] and every element after it ≥ x[k]. It is a
// quickselect with a three-way partition (sparse genes have many equal
// values) and a deterministic median-of-three pivot; after too many rounds it
// sorts the remaining range, which bounds the worst case at O(n log n).
func selectKth[T float32 | float64](x []T, k int) {
	lo, hi := 0, len(x) // the answer lies in x[lo:hi]
	budget := 2 * (bits.Len(uint(len(x))) + 1)
	for hi-lo > 16 {
		if budget == 0 {
			slices.Sort(x[lo:hi])
			return
		}
		budget--
		pivot := medianOfThree(x[lo], x[lo+(hi-lo)/2], x[hi-1])
		lt, gt := partition3(x[lo:hi], pivot)
		switch {
		case k < lo+lt:
			hi = lo + lt
		case k >= lo+gt:
			lo += gt
		default:
			return // x[lo+lt : lo+gt] all equal the pivot
		}
	}
	slices.Sort(x[lo:hi])
}

// partition3 rearranges x into [< pivot | == pivot | > pivot] and returns the
// bounds of the middle part.
func partition3[T float32 | float64](x []T, pivot T) (lt, gt int) {
	i := 0
	lt, gt = 0, len(x)
	for i < gt {
		switch v := x[i]; {
		case v < pivot:
			x[lt], x[i] = x[i], x[lt]
			lt++
			i++
		case v > pivot:
			gt--
			x[gt], x[i] = x[i], x[gt]
		default:
			i++
		}
	}
	return lt, gt
}

func medianOfThree[T float32 | float64](a, b, c T) T {
	if a > b {
		a, b = b, a
	}
	if b > c {
		b = c
	}
	if a > b {
		return a
	}
	return b
}
