package preprocess

import (
	"context"
	"fmt"

	"github.com/velo-rna/velo/anndata"
)

// FilterAndNormalizeOptions are scVelo's pp.filter_and_normalize
// parameters. The tutorial call filter_and_normalize(min_shared_counts=20,
// n_top_genes=2000) is
//
//	FilterAndNormalizeOptions{MinSharedCounts: Int(20), NTopGenes: 2000}
type FilterAndNormalizeOptions struct {
	// Gene filter thresholds (FilterGenesOptions); nil means None.
	MinCounts, MinCountsU, MinCells, MinCellsU *int
	MinSharedCounts, MinSharedCells            *int
	// NTopGenes highly variable genes are kept; 0 means None (no
	// dispersion filter, scVelo's default).
	NTopGenes int
	// RetainGenes survive every filter.
	RetainGenes []string
	// NoSubsetHighlyVariable annotates highly_variable without removing
	// genes (scVelo subset_highly_variable=False; default True).
	NoSubsetHighlyVariable bool
	// Flavor of the dispersion filter: "" or "seurat" (default), or
	// "cell_ranger".
	Flavor string
	// SkipLog leaves X unlogged (scVelo log=False; default True).
	SkipLog bool
	// LayersNormalize, when set, lists the layers to normalise and forces
	// normalisation (scVelo layers_normalize, which sets enforce=True).
	LayersNormalize []string
	// Normalize holds the remaining normalize_per_cell keyword arguments;
	// its Layers and Logf are ignored.
	Normalize NormalizePerCellOptions
	Threads   int
	Logf      Logf
}

// FilterAndNormalize runs scVelo 0.3.3's preprocessing recipe (spec A6):
// FilterGenes, NormalizePerCell, FilterGenesDispersion when NTopGenes is
// set, then Log1p on X.
func FilterAndNormalize(ctx context.Context, a *anndata.AnnData, opts FilterAndNormalizeOptions) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := checkShape(a); err != nil {
		return fmt.Errorf("filter and normalize: %w", err)
	}
	if a.X == nil {
		return fmt.Errorf("filter and normalize: X is missing")
	}
	if err := checkCountMatrices(a, "X", "spliced", "unspliced"); err != nil {
		return fmt.Errorf("filter and normalize: %w", err)
	}
	_, s := a.Layers["spliced"]
	_, u := a.Layers["unspliced"]
	if !s || !u {
		opts.Logf.printf("WARNING: Could not find spliced / unspliced counts.")
	}
	err := filterGenes(a, FilterGenesOptions{
		MinCounts: opts.MinCounts, MinCountsU: opts.MinCountsU,
		MinCells: opts.MinCells, MinCellsU: opts.MinCellsU,
		MinSharedCounts: opts.MinSharedCounts, MinSharedCells: opts.MinSharedCells,
		RetainGenes: opts.RetainGenes, Logf: opts.Logf,
	})
	if err != nil {
		return err
	}
	norm := opts.Normalize
	norm.Layers, norm.Logf = nil, opts.Logf
	if opts.LayersNormalize != nil {
		norm.Layers = opts.LayersNormalize
		norm.Enforce = true
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	keys := normalizeKeys(a, norm)
	for _, k := range keys[1:] {
		if k != "spliced" && k != "unspliced" {
			if err := checkValues(a, k, a.Layers[k], true); err != nil {
				return fmt.Errorf("filter and normalize: %w", err)
			}
		}
	}
	if err := normalizePerCell(a, keys, norm); err != nil {
		return err
	}
	if opts.NTopGenes != 0 {
		err := filterGenesDispersion(a, FilterGenesDispersionOptions{
			NTopGenes: opts.NTopGenes, RetainGenes: opts.RetainGenes, Flavor: opts.Flavor,
			NoSubset: opts.NoSubsetHighlyVariable, Logf: opts.Logf,
		})
		if err != nil {
			return err
		}
	}
	if !opts.SkipLog {
		log1p(a, Log1pOptions{Threads: opts.Threads, Logf: opts.Logf})
	}
	return nil
}
