//go:build amd64 && !purego

package graph

import (
	"math"

	"golang.org/x/sys/cpu"
)

func init() {
	if cpu.X86.HasAVX2 && cpu.X86.HasFMA {
		axpyF32 = axpyF32SIMD
		dotF32 = dotF32SIMD
		spmvRows = spmvRowsSIMD
	}
}

//go:noescape
func spmvTileAVX2(dst *float64, x *float32, stride int, idx *int32, w *float32, nnz int)

//go:noescape
func spmvTileAVX512(dst *float64, x *float32, stride int, idx *int32, w *float32, nnz int)

//go:noescape
func spmvTailAVX512(dst *float64, x *float32, stride int, idx *int32, w *float32, nnz int, mask uint32)

// spmvTile is the number of genes spmvTileAVX2 and spmvTailAVX512 sum in
// registers (twice that for spmvTileAVX512).
const spmvTile = 32

// spmvRowsSIMD keeps each tile of sums in registers across all the rows
// instead of loading and storing them once per row; without AVX-512 the
// last len(dst) mod spmvTile genes run through axpyF32.
func spmvRowsSIMD(dst []float64, x geneRows, b0 int, idx []int32, w []float32) {
	n := len(dst)
	if b0 < 0 || b0+n > x.g {
		panic("graph: gene block out of range")
	}
	if len(idx) == 0 {
		clear(dst)
		return
	}
	w = w[:len(idx)]
	rows := len(x.data) / x.stride
	for _, j := range idx {
		if j < 0 || int(j) >= rows {
			panic("graph: row index out of range")
		}
	}
	m := n &^ (spmvTile - 1)
	t := 0
	if hasAVX512 {
		for ; t+2*spmvTile <= m; t += 2 * spmvTile {
			spmvTileAVX512(&dst[t], &x.data[b0+t], x.stride, &idx[0], &w[0], len(idx))
		}
		// The rest in masked tiles: neither a narrower unmasked tile
		// nor a row-by-row tail, which cost as much as the whole tiles.
		for ; t < n; t += spmvTile {
			width := min(n-t, spmvTile)
			spmvTailAVX512(&dst[t], &x.data[b0+t], x.stride, &idx[0], &w[0], len(idx), uint32(uint64(1)<<width-1))
		}
		return
	}
	for ; t < m; t += spmvTile {
		spmvTileAVX2(&dst[t], &x.data[b0+t], x.stride, &idx[0], &w[0], len(idx))
	}
	if m < n {
		tail := dst[m:]
		clear(tail)
		for k, j := range idx {
			axpyF32(tail, float64(w[k]), x.row(int(j))[b0+m:b0+n])
		}
	}
}

//go:noescape
func axpyF32AVX2(dst *float64, x *float32, a float64, n int)

//go:noescape
func dotF32AVX2(a, b *float32, n int) float64

func axpyF32SIMD(dst []float64, a float64, x []float32) {
	n := len(dst)
	x = x[:n]
	m := n &^ 7
	if m > 0 {
		axpyF32AVX2(&dst[0], &x[0], a, m)
	}
	for k := m; k < n; k++ {
		dst[k] = math.FMA(a, float64(x[k]), dst[k])
	}
}

func dotF32SIMD(a, b []float32) float64 {
	n := len(a)
	b = b[:n]
	m := n &^ 7
	var s float64
	if m > 0 {
		s = dotF32AVX2(&a[0], &b[0], m)
	}
	for k := m; k < n; k++ {
		s += float64(a[k]) * float64(b[k])
	}
	return s
}
