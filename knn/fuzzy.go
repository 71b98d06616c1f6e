package knn

import (
	"math"

	"github.com/velo-rna/velo/array"
	"github.com/velo-rna/velo/internal/parallel"
)

// rowChunk is the number of points one goroutine processes at a time when
// building graphs.
const rowChunk = 512

// umap-learn's constants (umap/umap_.py).
const (
	smoothKTolerance = 1e-5 // SMOOTH_K_TOLERANCE
	minKDistScale    = 1e-3 // MIN_K_DIST_SCALE
	bisectionSteps   = 64   // smooth_knn_dist's n_iter
)

// Connectivities returns UMAP's fuzzy simplicial set of the neighbour lists,
// scanpy's obsp['connectivities'] for method='umap': umap-learn's
// fuzzy_simplicial_set with set_op_mix_ratio = 1 and local_connectivity = 1,
// computed in float32 as umap-learn does.
//
// For point i with distances d_ij to its K neighbours (itself first), ρ_i is
// the smallest positive distance and σ_i solves
// Σ_{j≥1} exp(−max(0, d_ij − ρ_i)/σ_i) = log2 K by bisection; the directed
// membership is a_ij = exp(−max(0, d_ij − ρ_i)/σ_i) (0 for the point itself),
// and the graph is the fuzzy union a + aᵀ − a∘aᵀ with column indices sorted
// and zeros removed. A row therefore holds the union of the point's own
// neighbours and the points that have it as a neighbour.
func Connectivities(r *Result, threads int) *array.CSR {
	sigma, rho := smoothKNNDist(r, threads)
	a := memberships(r, sigma, rho, threads)
	return fuzzyUnion(a, a.Transpose(), threads)
}

// smoothKNNDist is umap-learn's smooth_knn_dist with local_connectivity = 1
// and bandwidth = 1. The bisection state (psum, lo, mid, hi) is float32 as
// umap-learn declares it; the comparisons against the float64 target are
// made in float64 as numba does.
func smoothKNNDist(r *Result, threads int) (sigma, rho []float32) {
	sigma = make([]float32, r.N)
	rho = make([]float32, r.N)
	target := math.Log2(float64(r.K))
	// np.mean over the whole n×K matrix (float32 data, mean formed in
	// float64 here; it only matters as a floor for degenerate rows).
	var total float64
	for _, v := range r.Distances {
		total += float64(v)
	}
	meanAll := total / float64(len(r.Distances))
	parallel.For(r.N, rowChunk, threads, func(_, lo, hi int) {
		for i := lo; i < hi; i++ {
			_, dist := r.Row(i)
			sigma[i], rho[i] = smoothRow(dist, target, meanAll)
		}
	})
	return sigma, rho
}

// smoothRow returns σ and ρ of one row of neighbour distances (nearest
// first, the point itself in column 0).
func smoothRow(dist []float32, target, meanAll float64) (sigma, rho float32) {
	for _, d := range dist {
		if d > 0 {
			rho = d
			break
		}
	}
	lo, hi, mid := float32(0), float32(math.Inf(1)), float32(1)
	for n := 0; n < bisectionSteps; n++ {
		var psum float32
		for _, d := range dist[1:] {
			if dd := d - rho; dd > 0 {
				psum = float32(psum + exp32(-(dd / mid)))
			} else {
				psum = float32(psum + 1)
			}
		}
		if math.Abs(float64(psum)-target) < smoothKTolerance {
			break
		}
		if float64(psum) > target {
			hi = mid
			mid = (lo + hi) / 2
		} else {
			lo = mid
			if math.IsInf(float64(hi), 1) {
				mid *= 2
			} else {
				mid = (lo + hi) / 2
			}
		}
	}
	sigma = mid
	if rho > 0 {
		var sum float32
		for _, d := range dist {
			sum += d
		}
		mean := float64(sum) / float64(len(dist)) // numba: float32 sum / int → float64
		if float64(sigma) < minKDistScale*mean {
			sigma = float32(minKDistScale * mean)
		}
	} else if float64(sigma) < minKDistScale*meanAll {
		sigma = float32(minKDistScale * meanAll)
	}
	return sigma, rho
}

// exp32 is a float32 exponential (the correctly rounded float64 result
// rounded to float32, within an ulp of numba's expf).
func exp32(x float32) float32 { return float32(math.Exp(float64(x))) }

// memberships returns the directed membership strengths a_ij as a CSR
// matrix with sorted columns; zero strengths are not stored.
func memberships(r *Result, sigma, rho []float32, threads int) *array.CSR {
	vals := make([]float32, r.N*r.K)
	counts := make([]int64, r.N+1)
	parallel.For(r.N, rowChunk, threads, func(_, lo, hi int) {
		for i := lo; i < hi; i++ {
			idx, dist := r.Row(i)
			v := vals[i*r.K : (i+1)*r.K]
			var c int64
			for t, j := range idx {
				switch dd := dist[t] - rho[i]; {
				case int(j) == i:
					v[t] = 0
				case dd <= 0 || sigma[i] == 0:
					v[t] = 1
				default:
					v[t] = exp32(-(dd / sigma[i]))
				}
				if v[t] != 0 {
					c++
				}
			}
			counts[i+1] = c
		}
	})
	a := &array.CSR{Rows: r.N, Cols: r.N, Indptr: counts}
	for i := 0; i < r.N; i++ {
		a.Indptr[i+1] += a.Indptr[i]
	}
	a.Indices = make([]int32, a.Indptr[r.N])
	a.Data = make([]float32, a.Indptr[r.N])
	for i := 0; i < r.N; i++ {
		idx, _ := r.Row(i)
		p := a.Indptr[i]
		for t, j := range idx {
			if v := vals[i*r.K+t]; v != 0 {
				a.Indices[p] = j
				a.Data[p] = v
				p++
			}
		}
		sortRow(a.Indices[a.Indptr[i]:p], a.Data[a.Indptr[i]:p])
	}
	return a
}

// fuzzyUnion returns a + aᵀ − a∘aᵀ with the float32 operation order of
// umap-learn's scipy expression (a + aᵀ) − a∘aᵀ; at = aᵀ.
func fuzzyUnion(a, at *array.CSR, threads int) *array.CSR {
	n := a.Rows
	counts := make([]int64, n+1)
	parallel.For(n, rowChunk, threads, func(_, lo, hi int) {
		for i := lo; i < hi; i++ {
			counts[i+1] = int64(mergeRow(a, at, i, nil, nil))
		}
	})
	c := &array.CSR{Rows: n, Cols: n, Indptr: counts}
	for i := 0; i < n; i++ {
		c.Indptr[i+1] += c.Indptr[i]
	}
	c.Indices = make([]int32, c.Indptr[n])
	c.Data = make([]float32, c.Indptr[n])
	parallel.For(n, rowChunk, threads, func(_, lo, hi int) {
		for i := lo; i < hi; i++ {
			p, q := c.Indptr[i], c.Indptr[i+1]
			mergeRow(a, at, i, c.Indices[p:q], c.Data[p:q])
		}
	})
	return c
}

// mergeRow merges row i of a and at, writing the union's nonzero entries to
// idx/val when they are non-nil, and returns how many there are.
func mergeRow(a, at *array.CSR, i int, idx []int32, val []float32) int {
	ai, av := a.RowView(i)
	ti, tv := at.RowView(i)
	n := 0
	emit := func(j int32, v float32) {
		if v == 0 {
			return
		}
		if idx != nil {
			idx[n], val[n] = j, v
		}
		n++
	}
	x, y := 0, 0
	for x < len(ai) || y < len(ti) {
		switch {
		case y >= len(ti) || (x < len(ai) && ai[x] < ti[y]):
			emit(ai[x], av[x])
			x++
		case x >= len(ai) || ti[y] < ai[x]:
			emit(ti[y], tv[y])
			y++
		default:
			// Explicit conversions keep each operation rounded to float32
			// (no fused multiply-add), as scipy computes it.
			p, q := av[x], tv[y]
			emit(ai[x], float32(float32(p+q)-float32(p*q)))
			x++
			y++
		}
	}
	return n
}
