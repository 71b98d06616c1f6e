package preprocess

import (
	"context"
	"fmt"

	"github.com/velo-rna/velo/anndata"
)

// SetInitialSizeOptions configures SetInitialSize.
type SetInitialSizeOptions struct {
	// Layers whose totals are recorded as obs initial_size_<layer>; nil
	// means unspliced and spliced (scvelo.core.set_initial_size).
	Layers []string
}

// SetInitialSize records each cell's total counts before any gene is
// filtered: obs initial_size_<layer> for the layers (unspliced, spliced)
// and obs initial_size for X. Values already present are kept, so a second
// call changes nothing. NormalizePerCell later divides by these all-gene
// totals (scVelo's set_initial_size, spec A1).
func SetInitialSize(ctx context.Context, a *anndata.AnnData, opts SetInitialSizeOptions) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	layers := opts.Layers
	if layers == nil {
		layers = []string{"unspliced", "spliced"}
	}
	if err := checkCountMatrices(a, append([]string{"X"}, layers...)...); err != nil {
		return fmt.Errorf("set initial size: %w", err)
	}
	setInitialSize(a, layers)
	return nil
}

// setInitialSize is SetInitialSize on validated matrices.
func setInitialSize(a *anndata.AnnData, layers []string) {
	for _, l := range layers {
		key := "initial_size_" + l
		if m, ok := a.Layers[l]; ok && !a.Obs.Has(key) {
			a.Obs.Set(key, rowSums32(m))
		}
	}
	if a.X != nil && !a.Obs.Has("initial_size") {
		a.Obs.Set("initial_size", rowSums32(a.X))
	}
}
