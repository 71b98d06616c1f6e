package simulate

import (
	"fmt"

	"github.com/velo-rna/velo/anndata"
	"github.com/velo-rna/velo/array"
)

// Version names the generative model. It is stored in uns["simulation"] and
// changes whenever the same options would give different data.
const Version = "velo-simulate/1"

// Simulate generates a cells × genes data set from splicing kinetics on a
// branching trajectory (see the package documentation).
//
// The result holds:
//   - layers "spliced" and "unspliced": UMI counts (CSR, float32 integers);
//     X is a copy of "spliced";
//   - layer "true_velocity" (dense float32, see Options.TrueVelocity): the
//     noise-free ds/dt = βu − γs, in expected counts of a cell with size
//     factor 1, the units of size-normalised counts;
//   - obs "clusters" (Progenitor, Intermediate, Fate A, Fate B[, Fate C]),
//     "true_t" (latent time in [0, 24), units of 1/β), "branch" (trunk before
//     the branch point, then A, B[, C]) and "true_size_factor" (the cell's
//     expected counts are this times its noise-free abundances);
//   - var "true_alpha" (largest transcription rate), "true_beta" (1),
//     "true_gamma", "true_program" (constant, induced, repressed, transient,
//     fate-induced or fate-switch) and "true_fate" (the fate a fate-induced
//     or fate-switch gene marks, missing for the others);
//   - uns "simulation" (the parameters and Version) and "clusters_colors".
//
// Cells are named cell0001, cell0002, … and genes Gene001, Gene002, …, zero
// padded to the width of the largest number. The same options give
// bit-identical results for any Threads (see Options.Seed for other
// machines).
func Simulate(opts Options) (*anndata.AnnData, error) {
	o, err := opts.resolved()
	if err != nil {
		return nil, err
	}
	genes := drawGenes(newRand(o.Seed, geneStream, 0), o.Genes, o.Fates)
	c := drawCells(newRand(o.Seed, cellStream, 0), o.Cells, o.Fates)

	var vel *array.Dense
	if o.wantVelocity() {
		vel = array.NewDense(o.Cells, o.Genes)
	}
	spliced, unspliced := sampleCounts(genes, c, o.Seed, o.Threads, vel)

	ad := anndata.New(names("cell", 4, o.Cells), names("Gene", 3, o.Genes))
	ad.X = spliced.Clone()
	ad.Layers["spliced"] = spliced
	ad.Layers["unspliced"] = unspliced
	if vel != nil {
		ad.Layers["true_velocity"] = vel
	}
	setObs(ad.Obs, c)
	setVar(ad.Var, genes, o.Fates)
	ad.Uns["simulation"] = map[string]any{
		"cells":         int64(o.Cells),
		"genes":         int64(o.Genes),
		"fates":         int64(o.Fates),
		"seed":          int64(o.Seed), // two's complement above 2^63−1: uint64(seed) restores it
		"version":       Version,
		"true_velocity": vel != nil,
	}
	ad.Uns["clusters_colors"] = append([]string(nil), clusterColors[:2+o.Fates]...)
	return ad, nil
}

func setObs(obs *anndata.Frame, c cells) {
	obs.Set("clusters", &anndata.Categorical{Codes: c.clusterCodes(), Categories: clusterNames(c.fates)})
	obs.Set("true_t", c.time)
	obs.Set("branch", &anndata.Categorical{Codes: c.branchCodes(), Categories: branchNames(c.fates)})
	obs.Set("true_size_factor", c.size)
}

func setVar(v *anndata.Frame, genes []gene, fates int) {
	alpha, betas, gamma := make([]float64, len(genes)), make([]float64, len(genes)), make([]float64, len(genes))
	prog, fate := make([]int32, len(genes)), make([]int32, len(genes))
	for g, gm := range genes {
		alpha[g], betas[g], gamma[g] = gm.alpha, beta, gm.gamma
		prog[g], fate[g] = int32(gm.program), int32(gm.fate)
	}
	v.Set("true_alpha", alpha)
	v.Set("true_beta", betas)
	v.Set("true_gamma", gamma)
	v.Set("true_program", &anndata.Categorical{Codes: prog, Categories: append([]string(nil), programNames...)})
	v.Set("true_fate", &anndata.Categorical{Codes: fate, Categories: append([]string(nil), fateNames[:fates]...)})
}

// names returns prefix + 1-based numbers zero-padded to at least minWidth
// digits and to the width of n, so names sort in numeric order.
func names(prefix string, minWidth, n int) []string {
	width := max(minWidth, len(fmt.Sprint(n)))
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s%0*d", prefix, width, i+1)
	}
	return out
}
