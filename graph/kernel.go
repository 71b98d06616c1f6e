package graph

import "math"

// The cosine kernels compare cell i with candidate j over gene vectors xi,
// xj (the expression state) and v (cell i's velocity); all three have the
// length of xi, v may be longer. Rows are read in place from the layers, so
// lengths are not padded: the vector implementations run blocks of
// kernelBlock genes and finish the rest as one more zero-padded block
// (diffStats, without square roots, in scalar code).
//
// On amd64 with AVX2 and FMA the sums run in float32 SIMD lanes (scVelo
// computes in float32 too); elsewhere the portable versions below
// accumulate in float64. Either way results for a given machine do not
// depend on the number of threads.
var (
	// sqrtDiffStats returns Σt, Σt² and Σt·v for t = sign(d)·√|d|,
	// d = xj − xi (stochastic mode: scVelo's sqrt_transform). padded
	// says that the three slices' storage continues with zeros up to the
	// next multiple of kernelBlock; it never changes the result.
	sqrtDiffStats = sqrtDiffStatsGo
	// diffStats returns Σd² and Σd·v for d = xj − xi − delta (with delta
	// the difference of the two cells' mean expressions, d is the centred
	// displacement).
	diffStats = diffStatsGo
	// sqrtBucket adds sqrtDiffStats of every pair of one candidate over
	// one gene block to the pair's three sums: the sums of the k-th pair,
	// whose cell is chunk position owner[k], are acc[3k:3k+3], xj is the
	// candidate's block, pb locates the cells' blocks. One call per
	// candidate keeps the per-pair work down to the vector kernel itself.
	sqrtBucket = sqrtBucketGo
)

// pairBlock locates the gene block b0 … b0+n−1 of the rows the pairs of
// a chunk read.
type pairBlock struct {
	x     geneRows  // expression rows of all cells
	cells []int32   // the chunk's cells by chunk position
	v     []float32 // the chunk's velocities, position q at q·vw
	vw    int
	b0    int
}

// xi and vi return the block of the expression and velocity of the cell at
// chunk position q, n genes long.
func (pb *pairBlock) xi(q int32, n int) []float32 {
	return pb.x.row(int(pb.cells[q]))[pb.b0 : pb.b0+n]
}

func (pb *pairBlock) vi(q int32, n int) []float32 {
	return pb.v[int(q)*pb.vw+pb.b0:][:n]
}

func sqrtBucketGo(acc []float64, owner []int32, xj []float32, pb *pairBlock) {
	n := len(xj)
	acc = acc[:3*len(owner)]
	for k, q := range owner {
		s, ss, d := sqrtDiffStats(pb.xi(q, n), xj, pb.vi(q, n), pb.x.padded)
		acc[3*k] += s
		acc[3*k+1] += ss
		acc[3*k+2] += d
	}
}

// kernelBlock is the number of genes one iteration of the vector kernels
// handles.
const kernelBlock = 16

func sqrtDiffStatsGo(xi, xj, v []float32, _ bool) (s, ss, dot float64) {
	xj = xj[:len(xi)]
	v = v[:len(xi)]
	for k, a := range xi {
		d := float64(xj[k] - a)
		t := float64(float32(math.Copysign(math.Sqrt(math.Abs(d)), d)))
		s += t
		ss += t * t
		dot += t * float64(v[k])
	}
	return s, ss, dot
}

func diffStatsGo(xi, xj, v []float32, delta float32) (ss, dot float64) {
	xj = xj[:len(xi)]
	v = v[:len(xi)]
	for k, a := range xi {
		d := float64((xj[k] - a) - delta)
		ss += d * d
		dot += d * float64(v[k])
	}
	return ss, dot
}
