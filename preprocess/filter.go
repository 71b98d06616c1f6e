package preprocess

import (
	"context"
	"fmt"
	"math"
	"slices"

	"github.com/velo-rna/velo/anndata"
	"github.com/velo-rna/velo/array"
)

// FilterGenesOptions are scVelo's pp.filter_genes thresholds. Every
// threshold defaults to None (nil): with none set nothing is removed. All
// bounds are inclusive: a gene passes when min ≤ value ≤ max.
type FilterGenesOptions struct {
	// Spliced counts (sum over cells) and cells (number with counts > 0).
	MinCounts, MinCells, MaxCounts, MaxCells *int
	// The same for unspliced counts.
	MinCountsU, MinCellsU, MaxCountsU, MaxCellsU *int
	// Shared counts: spliced + unspliced summed over the cells where both
	// are detected; shared cells: the number of those cells. scVelo's
	// tutorials use MinSharedCounts = 20.
	MinSharedCounts, MinSharedCells *int
	// RetainGenes are kept whatever the thresholds say.
	RetainGenes []string
	Logf        Logf
}

// FilterGenes removes the genes that fail the thresholds (spec A2): it
// records initial cell sizes first (SetInitialSize), then tests, in order,
// the spliced layer, the unspliced layer and the shared counts, subsetting
// the genes after each. It logs how many genes each test removed, as scVelo
// does ("Filtered out 874 genes that are detected 20 counts (shared).").
func FilterGenes(ctx context.Context, a *anndata.AnnData, opts FilterGenesOptions) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := checkShape(a); err != nil {
		return fmt.Errorf("filter genes: %w", err)
	}
	if err := checkCountMatrices(a, "X", "spliced", "unspliced"); err != nil {
		return fmt.Errorf("filter genes: %w", err)
	}
	return filterGenes(a, opts)
}

// filterTest is one of the three tests of filter_genes.
type filterTest struct {
	layer                                    string // "spliced", "unspliced" or "shared"
	minCounts, minCells, maxCounts, maxCells *int
}

func filterGenes(a *anndata.AnnData, opts FilterGenesOptions) error {
	setInitialSize(a, []string{"unspliced", "spliced"})
	var tests []filterTest
	for _, l := range []string{"spliced", "unspliced"} {
		if _, ok := a.Layers[l]; !ok {
			continue
		}
		if l == "spliced" {
			tests = append(tests, filterTest{l, opts.MinCounts, opts.MinCells, opts.MaxCounts, opts.MaxCells})
		} else {
			tests = append(tests, filterTest{l, opts.MinCountsU, opts.MinCellsU, opts.MaxCountsU, opts.MaxCellsU})
		}
	}
	if opts.MinSharedCounts != nil || opts.MinSharedCells != nil {
		for _, l := range []string{"spliced", "unspliced"} {
			if _, ok := a.Layers[l]; !ok {
				return fmt.Errorf("filter genes: shared counts need layer %q, which is missing", l)
			}
		}
		tests = append(tests, filterTest{"shared", opts.MinSharedCounts, opts.MinSharedCells, nil, nil})
	}
	for _, t := range tests {
		if err := applyFilterTest(a, t, opts); err != nil {
			return err
		}
	}
	return nil
}

// applyFilterTest runs one test and subsets the genes.
func applyFilterTest(a *anndata.AnnData, t filterTest, opts FilterGenesOptions) error {
	var counts []float64
	var cells []int
	if t.layer == "shared" {
		counts, cells = sharedStats(a.Layers["spliced"], a.Layers["unspliced"])
	} else {
		counts, cells = colStats(a.Layers[t.layer])
	}
	keep := make([]bool, a.NVars())
	for g := range keep {
		keep[g] = true
		if t.minCounts != nil || t.maxCounts != nil {
			keep[g] = keep[g] && within(counts[g], t.minCounts, t.maxCounts)
		}
		if t.minCells != nil || t.maxCells != nil {
			keep[g] = keep[g] && within(float64(cells[g]), t.minCells, t.maxCells)
		}
	}
	retain(keep, a.Var.Index, opts.RetainGenes)
	var idx []int
	for g, k := range keep {
		if k {
			idx = append(idx, g)
		}
	}
	removed := len(keep) - len(idx)
	if len(idx) == 0 {
		return fmt.Errorf("filter genes: no genes left after filtering (%s)", t.describe())
	}
	if removed > 0 {
		a.SubsetVars(idx)
		opts.Logf.printf("Filtered out %d genes that are detected %s", removed, t.message())
	}
	return nil
}

// within reports lo ≤ v ≤ hi with nil bounds open.
func within(v float64, lo, hi *int) bool {
	l, h := math.Inf(-1), math.Inf(1)
	if lo != nil {
		l = float64(*lo)
	}
	if hi != nil {
		h = float64(*hi)
	}
	return l <= v && v <= h
}

// retain ORs the genes named in names back into keep.
func retain(keep []bool, genes, names []string) {
	if len(names) == 0 {
		return
	}
	for g, name := range genes {
		if slices.Contains(names, name) {
			keep[g] = true
		}
	}
}

// describe names the thresholds of a test for error messages.
func (t filterTest) describe() string {
	switch t.layer {
	case "shared":
		return fmt.Sprintf("min_shared_counts=%s, min_shared_cells=%s", optInt(t.minCounts), optInt(t.minCells))
	case "unspliced":
		return fmt.Sprintf("min_counts_u=%s, min_cells_u=%s, max_counts_u=%s, max_cells_u=%s",
			optInt(t.minCounts), optInt(t.minCells), optInt(t.maxCounts), optInt(t.maxCells))
	}
	return fmt.Sprintf("min_counts=%s, min_cells=%s, max_counts=%s, max_cells=%s",
		optInt(t.minCounts), optInt(t.minCells), optInt(t.maxCounts), optInt(t.maxCells))
}

// message completes scVelo's "Filtered out N genes that are detected …".
func (t filterTest) message() string {
	var parts []string
	if t.minCounts != nil {
		parts = append(parts, fmt.Sprintf("%d counts (%s).", *t.minCounts, t.layer))
	} else if t.minCells != nil {
		parts = append(parts, fmt.Sprintf("in less than %d cells (%s).", *t.minCells, t.layer))
	}
	if t.maxCounts != nil {
		parts = append(parts, fmt.Sprintf("%d counts (%s).", *t.maxCounts, t.layer))
	} else if t.maxCells != nil {
		parts = append(parts, fmt.Sprintf("in more than %d cells (%s).", *t.maxCells, t.layer))
	}
	msg := ""
	for k, p := range parts {
		if k > 0 {
			msg += " "
		}
		msg += p
	}
	return msg
}

// sharedStats returns per gene the sum of s + u over the cells where both
// are positive, and the number of those cells.
func sharedStats(s, u array.Matrix) ([]float64, []int) {
	sc, uc := array.AsCSR(s), array.AsCSR(u)
	return chunkedColumnStats(sc.Rows, sc.Cols, func(i int, counts []float64, cells []int) {
		si, sv := sc.RowView(i)
		ui, uv := uc.RowView(i)
		x, y := 0, 0
		for x < len(si) && y < len(ui) {
			switch {
			case si[x] < ui[y]:
				x++
			case ui[y] < si[x]:
				y++
			default:
				if sv[x] > 0 && uv[y] > 0 {
					g := si[x]
					counts[g] += float64(sv[x]) + float64(uv[y])
					cells[g]++
				}
				x++
				y++
			}
		}
	})
}
