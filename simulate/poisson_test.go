package simulate

import (
	"math"
	"testing"
)

// moments returns the sample mean and variance.
func moments(x []int) (mean, variance float64) {
	for _, v := range x {
		mean += float64(v)
	}
	mean /= float64(len(x))
	for _, v := range x {
		variance += (float64(v) - mean) * (float64(v) - mean)
	}
	return mean, variance / float64(len(x)-1)
}

// checkPoisson fails when the draws' mean, variance or frequencies stray more
// than 5 standard errors from those of a Poisson distribution (a false alarm
// has probability below 1e-6 per check).
func checkPoisson(t *testing.T, what string, x []int, lambda float64) {
	t.Helper()
	n := float64(len(x))
	mean, variance := moments(x)
	if d := math.Abs(mean - lambda); d > 5*math.Sqrt(lambda/n) {
		t.Errorf("%s: mean %.5g, want %g", what, mean, lambda)
	}
	// The sample variance of a Poisson variate has variance (λ + 2λ²)/n.
	if d := math.Abs(variance - lambda); d > 5*math.Sqrt((lambda+2*lambda*lambda)/n) {
		t.Errorf("%s: variance %.5g, want %g", what, variance, lambda)
	}
	freq := map[int]float64{}
	for _, v := range x {
		if v < 0 || (lambda == 0 && v != 0) {
			t.Fatalf("%s: draw %d with mean %g", what, v, lambda)
		}
		freq[v]++
	}
	if lambda == 0 {
		return
	}
	for k := 0; k < int(lambda+10*math.Sqrt(lambda)+10); k++ {
		lg, _ := math.Lgamma(float64(k) + 1)
		want := n * math.Exp(float64(k)*math.Log(lambda)-lambda-lg)
		if want < 20 {
			continue
		}
		if d := math.Abs(freq[k] - want); d > 5*math.Sqrt(want) {
			t.Errorf("%s: %g draws of %d, want %.1f", what, freq[k], k, want)
		}
	}
}

func TestPoisson(t *testing.T) {
	const n = 200_000
	for _, lambda := range []float64{0.01, 0.3, 1, 4.5, 9.99, 10, 37.5, 1000} {
		r := newRand(11, countStream, int(lambda*100))
		x := make([]int, n)
		for i := range x {
			x[i] = poisson(r, lambda)
		}
		checkPoisson(t, "poisson", x, lambda)
	}
	r := newRand(1, countStream, 0)
	for _, m := range []float64{0, -1} {
		if k := poisson(r, m); k != 0 {
			t.Errorf("poisson(%g) = %d, want 0", m, k)
		}
	}
}

// The paired sampler must give two independent Poisson variates, whether
// they come from one shared arrival walk or from separate draws.
func TestPoissonPair(t *testing.T) {
	const n = 200_000
	for _, c := range []struct{ a, b float64 }{{0.05, 0.4}, {0.7, 0}, {0, 2}, {3, 6.5}, {6, 5}, {0.2, 40}} {
		r := newRand(5, countStream, int(c.a*1000+c.b))
		xa, xb := make([]int, n), make([]int, n)
		for i := range xa {
			xa[i], xb[i] = poissonPair(r, c.a, c.b)
		}
		checkPoisson(t, "first of pair", xa, c.a)
		checkPoisson(t, "second of pair", xb, c.b)
		ma, _ := moments(xa)
		mb, _ := moments(xb)
		var cov float64
		for i := range xa {
			cov += (float64(xa[i]) - ma) * (float64(xb[i]) - mb)
		}
		cov /= n - 1
		// Under independence the sample covariance has standard error √(ab/n).
		if se := math.Sqrt(c.a * c.b / n); math.Abs(cov) > 5*se+1e-12 {
			t.Errorf("pair (%g, %g): covariance %.3g, want 0 (standard error %.3g)", c.a, c.b, cov, se)
		}
	}
}
