// Package preprocess is velo's pp: scVelo 0.3.3's preprocessing steps on an
// AnnData, computed as scVelo (with scanpy 1.9 for PCA and neighbours)
// computes them, reading and writing the same keys:
//
//	SetInitialSize         obs initial_size, initial_size_spliced, initial_size_unspliced
//	FilterGenes            gene subset by (shared) counts and cells
//	NormalizePerCell       X and layers scaled to the median initial size; obs n_counts
//	FilterGenesDispersion  var means, dispersions, dispersions_norm, highly_variable; gene subset
//	Log1p                  X = ln(1 + X); uns log1p
//	FilterAndNormalize     the four steps above in scVelo's order
//	PCA                    obsm X_pca, varm PCs, uns pca
//	Neighbors              obsp distances, connectivities; uns neighbors
//	Moments                layers Ms, Mu
//
// Each step is func(ctx, *anndata.AnnData, Options) error and modifies the
// AnnData in place, like scanpy. Zero-value options mean scVelo's defaults;
// optional thresholds that scVelo leaves at None are pointers (nil = None).
// Steps log what scVelo logs through Options.Logf (nil = silent).
//
// Arithmetic follows scVelo where its float32 results are reproducible bit
// for bit (size factors, normalised values, moments); sums that only feed
// comparisons or are not bit-reproducible anyway are formed in float64.
// Inputs with NaN, infinite or (for counts) negative entries are refused
// with an error naming the matrix, cell and gene.
package preprocess

import "fmt"

// Logf receives scVelo's progress and warning messages, printf style. A nil
// Logf discards them.
type Logf func(format string, args ...any)

func (l Logf) printf(format string, args ...any) {
	if l != nil {
		l(format, args...)
	}
}

// Int returns a pointer to v, for the optional integer thresholds of the
// option structs (for example FilterGenesOptions{MinSharedCounts: Int(20)}).
func Int(v int) *int { return &v }

// Float returns a pointer to v, for optional float options.
func Float(v float64) *float64 { return &v }

// optInt formats an optional threshold the way Python prints it.
func optInt(p *int) string {
	if p == nil {
		return "None"
	}
	return fmt.Sprint(*p)
}
