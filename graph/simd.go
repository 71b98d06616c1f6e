package graph

import "math"

// Float32 data, float64 arithmetic: axpyF32, dotF32 and spmvRows are the
// inner loops of the confidence step. On amd64 with AVX2 and FMA they run
// four float64 lanes at a time (spmvRows eight with AVX-512); results depend
// on the machine, never on the number of threads.
var (
	// axpyF32 sets dst[k] += a·x[k] (fused multiply-add) for
	// k < len(dst).
	axpyF32 = axpyF32Go
	// dotF32 returns Σ a[k]·b[k] accumulated in float64.
	dotF32 = dotF32Go
	// spmvRows sets dst[c] = Σ_k w[k]·x.row(idx[k])[b0+c] for
	// c < len(dst): one block of genes of a sparse row times the rows of
	// x, each entry the fused multiply-adds of axpyF32 in k order from
	// zero, so every implementation gives the same bits.
	spmvRows = spmvRowsGo
)

func spmvRowsGo(dst []float64, x geneRows, b0 int, idx []int32, w []float32) {
	clear(dst)
	for k, j := range idx {
		axpyF32(dst, float64(w[k]), x.row(int(j))[b0:b0+len(dst)])
	}
}

func axpyF32Go(dst []float64, a float64, x []float32) {
	x = x[:len(dst)]
	for k, v := range x {
		dst[k] = math.FMA(a, float64(v), dst[k])
	}
}

func dotF32Go(a, b []float32) float64 {
	b = b[:len(a)]
	var s float64
	for k, x := range a {
		s += float64(x) * float64(b[k])
	}
	return s
}
