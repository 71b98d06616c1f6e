package simulate

import (
	"math"
	"math/rand/v2"
)

// ptrsThreshold is the mean from which sampling switches from counting
// exponential arrivals (cost grows with the mean) to transformed rejection
// (constant cost); 10 is where the rejection sampler's setup pays off.
const ptrsThreshold = 10

// poissonPair draws independent Poisson variates with means a and b (zero or
// negative means give 0). When a + b is small both come from one walk of a
// unit-rate Poisson process over [0, a + b]: arrivals up to a count for the
// first, the rest for the second. Most cell–gene pairs have a + b well below
// 1, where a single exponential draw settles both counts.
func poissonPair(r *rand.Rand, a, b float64) (ka, kb int) {
	a, b = max(a, 0), max(b, 0)
	if a+b >= ptrsThreshold {
		return poisson(r, a), poisson(r, b)
	}
	if a+b == 0 {
		return 0, 0
	}
	for acc := r.ExpFloat64(); acc <= a+b; acc += r.ExpFloat64() {
		if acc <= a {
			ka++
		} else {
			kb++
		}
	}
	return ka, kb
}

// poisson draws a Poisson variate with the given mean. A mean of 0 (or less)
// gives 0 without consuming random numbers.
func poisson(r *rand.Rand, mean float64) int {
	if mean <= 0 {
		return 0
	}
	if mean < ptrsThreshold {
		// The number of arrivals in [0, mean] of a unit-rate Poisson process.
		k := 0
		for acc := r.ExpFloat64(); acc <= mean; acc += r.ExpFloat64() {
			k++
		}
		return k
	}
	return poissonPTRS(r, mean)
}

// poissonPTRS is Hörmann's transformed rejection with squeeze ("The
// transformed rejection method for generating Poisson random variables",
// Insurance: Mathematics and Economics 12, 1993), valid for means ≥ 10.
func poissonPTRS(r *rand.Rand, mean float64) int {
	slam := math.Sqrt(mean)
	logLam := math.Log(mean)
	b := 0.931 + 2.53*slam
	a := -0.059 + 0.02483*b
	invAlpha := 1.1239 + 1.1328/(b-3.4)
	vr := 0.9277 - 3.6224/(b-2)
	for {
		u := r.Float64() - 0.5
		v := r.Float64()
		us := 0.5 - math.Abs(u)
		k := math.Floor((2*a/us+b)*u + mean + 0.43)
		if us >= 0.07 && v <= vr {
			return int(k)
		}
		if k < 0 || (us < 0.013 && v > us) {
			continue
		}
		lg, _ := math.Lgamma(k + 1)
		if math.Log(v)+math.Log(invAlpha)-math.Log(a/(us*us)+b) <= -mean+k*logLam-lg {
			return int(k)
		}
	}
}
