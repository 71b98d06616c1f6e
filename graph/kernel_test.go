package graph

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// The dispatched kernels (SIMD where available) must agree with the
// portable float64 versions to float32 accuracy, for lengths covering the
// scalar tail alone, whole vector blocks, and blocks plus a tail.
func TestKernelsMatchPortable(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, g := range []int{1, 15, 16, 17, 330, 1126, 1239} {
		xi, xj, v := make([]float32, g), make([]float32, g), make([]float32, g)
		for k := 0; k < g; k++ {
			xi[k] = float32(rng.NormFloat64() * 3)
			xj[k] = xi[k] + float32(rng.NormFloat64())
			v[k] = float32(rng.NormFloat64())
		}
		s0, ss0, d0 := sqrtDiffStatsGo(xi, xj, v, false)
		s1, ss1, d1 := sqrtDiffStats(xi, xj, v, false)
		// float32 lane sums over ≤ 1126 terms: relative error well below 1e-5
		// of the sum of magnitudes.
		var absT, absTV float64
		for k := 0; k < g; k++ {
			d := float64(xj[k] - xi[k])
			absT += math.Sqrt(math.Abs(d))
			absTV += math.Sqrt(math.Abs(d)) * math.Abs(float64(v[k]))
		}
		if math.Abs(s0-s1) > 1e-5*absT || math.Abs(ss0-ss1) > 1e-5*ss0 || math.Abs(d0-d1) > 1e-5*absTV {
			t.Errorf("g=%d sqrt stats: portable (%g, %g, %g) vs dispatched (%g, %g, %g)", g, s0, ss0, d0, s1, ss1, d1)
		}
		const delta = 0.25
		e0, f0 := diffStatsGo(xi, xj, v, delta)
		e1, f1 := diffStats(xi, xj, v, delta)
		var absDV float64
		for k := 0; k < g; k++ {
			absDV += math.Abs(float64(xj[k]-xi[k]-delta) * float64(v[k]))
		}
		if math.Abs(e0-e1) > 1e-5*e0 || math.Abs(f0-f1) > 1e-5*absDV {
			t.Errorf("g=%d diff stats: portable (%g, %g) vs dispatched (%g, %g)", g, e0, f0, e1, f1)
		}
	}
}

// Displacements of exactly zero, negative zero and sign changes must give
// t = 0 and the correctly signed root, as numpy's sqrt(|d|)·sign(d).
func TestSqrtKernelSigns(t *testing.T) {
	xi, xj, v := make([]float32, 3), make([]float32, 3), make([]float32, 3)
	xi[0], xj[0], v[0] = 1, 5, 1 // d = 4 → t = 2
	xi[1], xj[1], v[1] = 5, 1, 1 // d = −4 → t = −2
	xi[2], xj[2], v[2] = 3, 3, 7 // d = 0 → t = 0
	s, ss, dot := sqrtDiffStats(xi, xj, v, false)
	if s != 0 || ss != 8 || dot != 0 {
		t.Fatalf("got (Σt, Σt², Σt·v) = (%g, %g, %g), want (0, 8, 0)", s, ss, dot)
	}
}

// Reading the zero padding in place gives the same bits as copying the
// last partial block.
func TestSqrtKernelPaddedTail(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, g := range []int{5, 16, 330, 1239} {
		w := (g + kernelBlock - 1) / kernelBlock * kernelBlock
		xi, xj, v := make([]float32, w), make([]float32, w), make([]float32, w)
		for k := 0; k < g; k++ {
			xi[k], xj[k], v[k] = float32(rng.NormFloat64()), float32(rng.NormFloat64()), float32(rng.NormFloat64())
		}
		a0, b0, c0 := sqrtDiffStats(xi[:g], xj[:g], v[:g], false)
		a1, b1, c1 := sqrtDiffStats(xi[:g], xj[:g], v[:g], true)
		if a0 != a1 || b0 != b1 || c0 != c1 {
			t.Errorf("g=%d: padded (%g, %g, %g) vs copied (%g, %g, %g)", g, a1, b1, c1, a0, b0, c0)
		}
	}
}

// sqrtBucket adds, for every pair of a candidate, exactly the sums
// sqrtDiffStats gives that pair, for whole and partial blocks, with rows
// padded or not, starting from non-zero sums.
func TestSqrtBucketMatchesPairs(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	for _, tc := range []struct {
		g, b0, n int
		padded   bool
	}{
		{512, 0, 512, false}, {1269, 1024, 245, false}, {1269, 1024, 245, true},
		{40, 32, 8, true}, {40, 32, 8, false}, {300, 0, 256, true},
	} {
		stride := tc.g
		if tc.padded {
			stride = (tc.g + kernelBlock - 1) / kernelBlock * kernelBlock
		}
		const cells, chunk = 9, 4
		x := geneRows{data: make([]float32, cells*stride), stride: stride, g: tc.g, padded: tc.padded}
		for i := 0; i < cells; i++ {
			for k := 0; k < tc.g; k++ {
				x.data[i*stride+k] = float32(rng.ExpFloat64())
			}
		}
		v := make([]float32, chunk*stride)
		for q := 0; q < chunk; q++ {
			for k := 0; k < tc.g; k++ {
				v[q*stride+k] = float32(rng.NormFloat64())
			}
		}
		pb := pairBlock{x: x, cells: []int32{2, 5, 0, 7}, v: v, vw: stride, b0: tc.b0}
		owner := []int32{0, 2, 3, 3, 1}
		xj := x.row(8)[tc.b0 : tc.b0+tc.n]
		got := make([]float64, 3*len(owner))
		for k := range got {
			got[k] = float64(k) / 7
		}
		want := slices.Clone(got)
		sqrtBucket(got, owner, xj, &pb)
		for k, q := range owner {
			s, ss, d := sqrtDiffStats(pb.xi(q, tc.n), xj, pb.vi(q, tc.n), tc.padded)
			want[3*k] += s
			want[3*k+1] += ss
			want[3*k+2] += d
		}
		if !slices.Equal(got, want) {
			t.Errorf("g=%d b0=%d n=%d padded=%v: bucket sums %v, pair sums %v", tc.g, tc.b0, tc.n, tc.padded, got, want)
		}
	}
}
