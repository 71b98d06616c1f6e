//go:build amd64 && !purego

package graph

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"golang.org/x/sys/cpu"
)

// The AVX-512 square-root kernel must give the AVX2 kernel's bits, so
// results do not depend on which of the two a machine runs.
func TestSqrtKernelWidthsAgree(t *testing.T) {
	if !cpu.X86.HasAVX512F || !cpu.X86.HasAVX2 || !cpu.X86.HasFMA {
		t.Skip("needs AVX2, FMA and AVX-512F")
	}
	rng := rand.New(rand.NewPCG(7, 8))
	for _, n := range []int{16, 32, 336, 1264} {
		xi, xj, v := make([]float32, n), make([]float32, n), make([]float32, n)
		for k := range xi {
			xi[k] = float32(rng.NormFloat64() * 3)
			xj[k] = xi[k] + float32(rng.NormFloat64())
			v[k] = float32(rng.NormFloat64())
		}
		xj[0] = xi[0] // a zero displacement
		a0, b0, c0 := sqrtDiffStatsAVX2(&xi[0], &xj[0], &v[0], n)
		a1, b1, c1 := sqrtDiffStatsAVX512(&xi[0], &xj[0], &v[0], n)
		if a0 != a1 || b0 != b1 || c0 != c1 {
			t.Errorf("n=%d: AVX2 (%g, %g, %g) vs AVX-512 (%g, %g, %g)", n, a0, b0, c0, a1, b1, c1)
		}
	}
}

func BenchmarkSqrtKernel(b *testing.B) {
	const n = 1264
	xi, xj, v := make([]float32, n), make([]float32, n), make([]float32, n)
	for k := range xi {
		xi[k], xj[k], v[k] = float32(k%7), float32(k%5), 1
	}
	for _, k := range []struct {
		name string
		f    func(xi, xj, v *float32, n int) (s, ss, dot float32)
	}{{"avx2", sqrtDiffStatsAVX2}, {"avx512", sqrtDiffStatsAVX512}} {
		if k.name == "avx512" && !cpu.X86.HasAVX512F {
			continue
		}
		b.Run(fmt.Sprintf("kernel=%s/genes=%d", k.name, n), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				k.f(&xi[0], &xj[0], &v[0], n)
			}
		})
	}
}

// The AVX2 and AVX-512 tiles of the sparse-times-dense kernel give the
// portable kernel's bits.
func TestSpmvTileWidthsAgree(t *testing.T) {
	if !cpu.X86.HasAVX512F || !cpu.X86.HasAVX2 || !cpu.X86.HasFMA {
		t.Skip("needs AVX2, FMA and AVX-512F")
	}
	defer func(h bool) { hasAVX512 = h }(hasAVX512)
	rng := rand.New(rand.NewPCG(9, 10))
	const n, g = 40, 330
	data := make([]float32, n*g)
	for k := range data {
		data[k] = float32(rng.NormFloat64())
	}
	x := geneRows{data: data, stride: g, g: g}
	// More entries than spmvTileAVX512 prefetches ahead, so both its
	// loops run.
	idx := make([]int32, 45)
	w := make([]float32, len(idx))
	for k := range idx {
		idx[k] = int32(rng.IntN(n))
		w[k] = float32(rng.Float64())
	}
	want := make([]float64, g)
	spmvRowsGo(want, x, 0, idx, w)
	for _, wide := range []bool{false, true} {
		hasAVX512 = wide
		got := make([]float64, g)
		spmvRowsSIMD(got, x, 0, idx, w)
		for c := range want {
			if got[c] != want[c] {
				t.Fatalf("AVX-512 %v, gene %d: got %v, want %v", wide, c, got[c], want[c])
			}
		}
	}
}
