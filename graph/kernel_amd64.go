//go:build amd64 && !purego

package graph

import "golang.org/x/sys/cpu"

func init() {
	if cpu.X86.HasAVX2 && cpu.X86.HasFMA {
		sqrtDiffStats = sqrtDiffStatsSIMD
		diffStats = diffStatsSIMD
		sqrtBucket = sqrtBucketSIMD
	}
	hasAVX512 = cpu.X86.HasAVX512F
}

// hasAVX512 selects the AVX-512 version of the square-root kernel (same
// bits, twice the width). The kernels are called directly, not through a
// function value, so their scratch blocks stay on the stack.
var hasAVX512 bool

func sqrtBlocks(xi, xj, v *float32, n int) (s, ss, dot float32) {
	if hasAVX512 {
		return sqrtDiffStatsAVX512(xi, xj, v, n)
	}
	return sqrtDiffStatsAVX2(xi, xj, v, n)
}

//go:noescape
func sqrtDiffStatsAVX2(xi, xj, v *float32, n int) (s, ss, dot float32)

//go:noescape
func sqrtDiffStatsAVX512(xi, xj, v *float32, n int) (s, ss, dot float32)

//go:noescape
func diffStatsAVX2(xi, xj, v *float32, n int, delta float32) (ss, dot float32)

// sqrtDiffStatsSIMD runs whole blocks in the vector kernel and the last
// len(xi) mod kernelBlock genes as one more block padded with zeros, which
// add nothing (scalar square roots would cost as much as the vector work
// on a few hundred genes). With padded set the slices' storage already
// holds those zeros; otherwise they are copied into a zeroed block. Either
// way the sums are the same.
func sqrtDiffStatsSIMD(xi, xj, v []float32, padded bool) (s, ss, dot float64) {
	n := len(xi)
	xj, v = xj[:n], v[:n]
	m := n &^ (kernelBlock - 1)
	var a, b, c float32
	if m > 0 {
		a, b, c = sqrtBlocks(&xi[0], &xj[0], &v[0], m)
	}
	if m < n {
		var ta, tb, tc float32
		if padded {
			ta, tb, tc = sqrtBlocks(&xi[m : m+kernelBlock][0], &xj[m : m+kernelBlock][0], &v[m : m+kernelBlock][0], kernelBlock)
		} else {
			var ti, tj, tv [kernelBlock]float32
			copy(ti[:], xi[m:])
			copy(tj[:], xj[m:])
			copy(tv[:], v[m:])
			ta, tb, tc = sqrtBlocks(&ti[0], &tj[0], &tv[0], kernelBlock)
		}
		a, b, c = a+ta, b+tb, c+tc
	}
	return float64(a), float64(b), float64(c)
}

// sqrtBucketSIMD is sqrtBucketGo with sqrtDiffStatsSIMD written out: the
// same kernel calls and float32 additions, so the same bits, with the
// candidate's last partial block copied once for all its pairs.
func sqrtBucketSIMD(acc []float64, owner []int32, xj []float32, pb *pairBlock) {
	n := len(xj)
	m := n &^ (kernelBlock - 1)
	acc = acc[:3*len(owner)]
	var tj, ti, tv [kernelBlock]float32
	var pj *float32
	if m < n {
		if pb.x.padded {
			pj = &xj[m : m+kernelBlock][0]
		} else {
			copy(tj[:], xj[m:])
			pj = &tj[0]
		}
	}
	for k, q := range owner {
		xi, vi := pb.xi(q, n), pb.vi(q, n)
		var a, b, c float32
		if m > 0 {
			a, b, c = sqrtBlocks(&xi[0], &xj[0], &vi[0], m)
		}
		if m < n {
			var ta, tb, tc float32
			if pb.x.padded {
				ta, tb, tc = sqrtBlocks(&xi[m : m+kernelBlock][0], pj, &vi[m : m+kernelBlock][0], kernelBlock)
			} else {
				copy(ti[:], xi[m:])
				copy(tv[:], vi[m:])
				ta, tb, tc = sqrtBlocks(&ti[0], pj, &tv[0], kernelBlock)
			}
			a, b, c = a+ta, b+tb, c+tc
		}
		acc[3*k] += float64(a)
		acc[3*k+1] += float64(b)
		acc[3*k+2] += float64(c)
	}
}

func diffStatsSIMD(xi, xj, v []float32, delta float32) (ss, dot float64) {
	n := len(xi)
	xj, v = xj[:n], v[:n]
	m := n &^ (kernelBlock - 1)
	var a, b float32
	if m > 0 {
		a, b = diffStatsAVX2(&xi[0], &xj[0], &v[0], m, delta)
	}
	for k := m; k < n; k++ {
		d := (xj[k] - xi[k]) - delta
		a += d * d
		b += d * v[k]
	}
	return float64(a), float64(b)
}

// prefetchBlock asks for the cache lines of p[0:n] without waiting for
// them.
//
//go:noescape
func prefetchBlock(p *float32, n int)
