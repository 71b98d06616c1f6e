// Package grid computes velocity fields on a regular grid over a 2-D
// embedding, as scVelo's compute_velocity_on_grid does for its grid and
// stream plots (spec §A17), and integrates streamlines through them in the
// manner of matplotlib's streamplot.
//
// The grid is computed in float64 from the float32 embedding. Each grid
// point averages the velocities of its k nearest cells with Gaussian weights;
// the neighbour search is exact and ties are broken by cell index, so results
// do not depend on the thread count.
package grid

import (
	"errors"
	"fmt"
	"github.com/velo-rna/velo/internal/numeric"
	"math"

	"github.com/velo-rna/velo/array"
)

// Result is a velocity field on an Nx × Ny grid. Point (i, j), at
// (X[i], Y[j]), is stored at index j·Nx+i: rows of constant Y, the order of
// numpy's meshgrid that scVelo flattens.
type Result struct {
	Nx, Ny int
	X, Y   []float64

	// U and V are the velocity components at each point. In stream mode U is
	// NaN where the point is masked, as scVelo marks it for streamplot.
	U, V []float64

	// Mass is the sum of the kernel weights of each point's neighbours.
	Mass []float64

	// Show marks the points a plot draws: in grid mode those whose mass
	// passes the cutoff, in stream mode those not masked.
	Show []bool

	// Scale is the number U and V were divided by (three times the quiver
	// autoscale); 1 when they were not rescaled.
	Scale float64
}

// VelocityOnGrid averages the embedded velocities vemb of cells at emb
// (both n × 2) onto a regular grid, exactly as scVelo's
// compute_velocity_on_grid (spec §A17):
//
//   - cells with a non-finite coordinate or velocity are dropped;
//   - each axis spans [m', M + 0.01·|M − m'|] with m' = m − 0.01·|M − m|
//     (scVelo widens the upper bound with the already shifted minimum) in
//     int(50·density) points;
//   - every grid point takes its k nearest cells, weights them with the
//     normal density N(d; 0, σ), σ = smooth · mean grid spacing, and divides
//     the weighted sum of velocities by max(1, Σ weights);
//   - grid mode keeps points with mass > min_mass·pct99(mass)/100 and divides
//     the vectors by 3 × quiver autoscale of the kept points;
//   - stream mode masks points slower than min(10^(min_mass−6),
//     0.9·max speed) or whose mean absolute neighbour velocity, summed over
//     the axes, lies below its cutoff_perc percentile.
//
// It panics when emb and vemb are not n × 2 matrices of the same shape.
func VelocityOnGrid(emb, vemb *array.Dense, opts Options) (*Result, error) {
	if emb.Cols != 2 || vemb.Cols != 2 || emb.Rows != vemb.Rows {
		panic(fmt.Sprintf("grid: embedding is %d×%d and velocity %d×%d, want two n×2 matrices",
			emb.Rows, emb.Cols, vemb.Rows, vemb.Cols))
	}
	cx, cy, cu, cv := finiteCells(emb, vemb)
	if len(cx) == 0 {
		return nil, errors.New("grid: no cell has a finite embedding position and velocity")
	}
	n := int(50 * opts.density())
	if n < 2 {
		return nil, fmt.Errorf("grid: density %g gives %d grid points per axis, need at least 2", opts.density(), n)
	}
	r := &Result{Nx: n, Ny: n, X: axis(cx, n), Y: axis(cy, n), Scale: 1}
	if r.X[1] <= r.X[0] || r.Y[1] <= r.Y[0] {
		return nil, errors.New("grid: the cells span no area: all share one coordinate")
	}
	qx, qy := make([]float64, n*n), make([]float64, n*n)
	for j := 0; j < n; j++ {
		for i := 0; i < n; i++ {
			qx[j*n+i], qy[j*n+i] = r.X[i], r.Y[j]
		}
	}
	k := opts.neighbors(len(cx))
	nb := nearestCells(cx, cy, qx, qy, k, opts.Threads)

	// scipy's norm.pdf(d, scale=σ): exp(−(d/σ)²/2)/√(2π)/σ, in that order.
	sigma := (r.X[1] - r.X[0] + r.Y[1] - r.Y[0]) / 2 * opts.smooth()
	sqrt2pi := math.Sqrt(2 * math.Pi)
	r.U, r.V, r.Mass = make([]float64, n*n), make([]float64, n*n), make([]float64, n*n)
	for g := range r.Mass {
		var mass, su, sv float64
		for j := g * k; j < (g+1)*k; j++ {
			z := nb.dist[j] / sigma
			w := math.Exp(-z*z/2) / sqrt2pi / sigma
			mass += w
			su += cu[nb.idx[j]] * w
			sv += cv[nb.idx[j]] * w
		}
		d := math.Max(1, mass)
		r.Mass[g], r.U[g], r.V[g] = mass, su/d, sv/d
	}
	if opts.Stream {
		r.maskStream(cu, cv, nb, opts)
	} else {
		r.cutMass(opts)
	}
	return r, nil
}

// finiteCells returns the coordinates and velocities of the cells whose
// four values are all finite, in float64.
func finiteCells(emb, vemb *array.Dense) (x, y, u, v []float64) {
	for i := 0; i < emb.Rows; i++ {
		e, w := emb.Row(i), vemb.Row(i)
		// scVelo tests the row sums, which are finite exactly when every
		// entry is (float64 sums of float32 values cannot overflow).
		if !finite(float64(e[0])+float64(e[1])) || !finite(float64(w[0])+float64(w[1])) {
			continue
		}
		x, y = append(x, float64(e[0])), append(y, float64(e[1]))
		u, v = append(u, float64(w[0])), append(v, float64(w[1]))
	}
	return x, y, u, v
}

func finite(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }

// axis is one axis of scVelo's grid, with its 1 % margins.
func axis(c []float64, n int) []float64 {
	lo, hi := c[0], c[0]
	for _, v := range c {
		lo, hi = math.Min(lo, v), math.Max(hi, v)
	}
	lo -= 0.01 * math.Abs(hi-lo)
	hi += 0.01 * math.Abs(hi-lo) // scVelo's quirk: lo is already shifted
	return linspace(lo, hi, n)
}

// cutMass applies grid mode's mass cutoff and autoscale.
func (r *Result) cutMass(opts Options) {
	thr := opts.minMass() * numeric.Percentile(r.Mass, 99) / 100
	r.Show = make([]bool, len(r.Mass))
	var px, py, pu, pv []float64
	for g, m := range r.Mass {
		if m > thr {
			r.Show[g] = true
			px, py = append(px, r.X[g%r.Nx]), append(py, r.Y[g/r.Nx])
			pu, pv = append(pu, r.U[g]), append(pv, r.V[g])
		}
	}
	if opts.NoAutoscale || len(px) == 0 {
		return
	}
	a := quiverScale(px, py, pu, pv, opts.aspect())
	if !finite(a) || a <= 0 {
		return
	}
	r.Scale = 3 * a
	for g := range r.U {
		r.U[g] /= r.Scale
		r.V[g] /= r.Scale
	}
}

// maskStream applies stream mode's speed and neighbour-length cutoffs.
func (r *Result) maskStream(cu, cv []float64, nb neighbors, opts Options) {
	speed := make([]float64, len(r.U))
	maxSpeed := 0.0
	for g := range r.U {
		speed[g] = math.Sqrt(r.U[g]*r.U[g] + r.V[g]*r.V[g])
		maxSpeed = math.Max(maxSpeed, speed[g])
	}
	thr := math.Min(math.Pow(10, opts.minMass()-6), 0.9*maxSpeed)
	r.Show = make([]bool, len(r.U))
	for g, s := range speed {
		r.Show[g] = !(s < thr)
	}
	if p := opts.cutoffPerc(); p > 0 {
		// L = Σ over the axes of the mean |velocity| of the neighbours.
		length := make([]float64, len(r.U))
		k := float64(nb.k)
		for g := range length {
			var au, av float64
			for _, c := range nb.idx[g*nb.k : (g+1)*nb.k] {
				au += math.Abs(cu[c])
				av += math.Abs(cv[c])
			}
			length[g] = au/k + av/k
		}
		cut := numeric.Percentile(length, p)
		for g, l := range length {
			if l < cut {
				r.Show[g] = false
			}
		}
	}
	for g, ok := range r.Show {
		if !ok {
			r.U[g] = math.NaN()
		}
	}
}
