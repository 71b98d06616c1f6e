package simulate

import (
	"math"
	"math/rand/v2"
)

// The latent time axis, in units of 1/β. Progenitors turn into intermediates
// at tIntermediate and the lineages split at tBranch. The axis is long
// against 1/γ for most genes (γ ≥ 0.1 gives relaxation times up to 10), so
// many genes get close to their new steady state before the end.
const (
	tIntermediate = 6.0
	tBranch       = 12.0
	tMax          = 24.0
)

// sizeFactorSigma is the standard deviation of the log size factor. Its
// value 0.4 gives library sizes with a coefficient of variation of about
// 0.4, as in droplet data after cell calling.
const sizeFactorSigma = 0.4

// cells holds the latent state of every cell.
type cells struct {
	time  []float64 // latent time in [0, tMax)
	fate  []int     // lineage followed after tBranch, 0 … fates−1
	size  []float64 // library size factor, mean 1
	fates int
}

// drawCells places n cells uniformly on the latent time axis, each following
// one of the fates with equal probability, with log-normal size factors.
func drawCells(r *rand.Rand, n, fates int) cells {
	c := cells{time: make([]float64, n), fate: make([]int, n), size: make([]float64, n), fates: fates}
	for i := range n {
		c.time[i] = tMax * r.Float64()
		c.fate[i] = r.IntN(fates)
		// The −σ²/2 shift makes the mean size factor 1, so the kinetics are
		// in units of the expected counts of an average cell.
		c.size[i] = math.Exp(sizeFactorSigma*r.NormFloat64() - sizeFactorSigma*sizeFactorSigma/2)
	}
	return c
}

// committed reports whether cell i has passed the branch point.
func (c cells) committed(i int) bool { return c.time[i] >= tBranch }

// clusterNames returns the cluster categories: the two trunk states, then one
// per fate.
func clusterNames(fates int) []string {
	return append([]string{"Progenitor", "Intermediate"}, fateNames[:fates]...)
}

// branchNames returns the branch categories: "trunk" for cells before the
// branch point, then one letter per fate.
func branchNames(fates int) []string {
	return append([]string{"trunk"}, fateLetters[:fates]...)
}

var (
	fateNames   = []string{"Fate A", "Fate B", "Fate C"}
	fateLetters = []string{"A", "B", "C"}
	// clusterColors are matplotlib's tab10 colours, the palette scanpy gives
	// categorical columns with few categories.
	clusterColors = []string{"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd"}
)

// clusterCodes returns the cluster code of every cell: 0 progenitor,
// 1 intermediate, 2 + fate after the branch point.
func (c cells) clusterCodes() []int32 {
	codes := make([]int32, len(c.time))
	for i, t := range c.time {
		switch {
		case t < tIntermediate:
			codes[i] = 0
		case t < tBranch:
			codes[i] = 1
		default:
			codes[i] = 2 + int32(c.fate[i])
		}
	}
	return codes
}

// branchCodes returns the branch code of every cell: 0 before the branch
// point, 1 + fate after it.
func (c cells) branchCodes() []int32 {
	codes := make([]int32, len(c.time))
	for i := range c.time {
		if c.committed(i) {
			codes[i] = 1 + int32(c.fate[i])
		}
	}
	return codes
}
