package preprocess

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"

	"github.com/velo-rna/velo/anndata"
	"github.com/velo-rna/velo/array"
	"github.com/velo-rna/velo/internal/parallel"
)

// NormalizePerCellOptions are scVelo's pp.normalize_per_cell parameters.
type NormalizePerCellOptions struct {
	// CountsPerCellAfter is the target total of every cell; nil means the
	// median of the size vector (scVelo default None).
	CountsPerCellAfter *float64
	// CountsPerCell replaces the size vector (one value per cell); nil
	// means the initial sizes (scVelo default None). CountsPerCellKey names
	// an obs column to use instead.
	CountsPerCell    []float64
	CountsPerCellKey string
	// KeyNCounts is the obs column receiving the normalised totals of X;
	// "" means "n_counts" (scVelo default).
	KeyNCounts string
	// MaxProportionPerCell in (0, 1) leaves out of the size the genes that
	// exceed that share of some cell's size; 0 means None (scVelo default).
	MaxProportionPerCell float64
	// UseCurrentSize uses the current row sums instead of the initial
	// sizes (scVelo use_initial_size=False; default True).
	UseCurrentSize bool
	// Layers normalised besides X; nil means spliced and unspliced
	// (scVelo default), and AllLayers means every layer (layers='all').
	Layers    []string
	AllLayers bool
	// Enforce normalises even matrices that do not look like counts.
	Enforce bool
	Logf    Logf
}

// NormalizePerCell scales every cell of X and of the layers to a common
// total (spec A3): the size of cell i is its initial size (the all-gene
// total recorded by SetInitialSize before filtering, per matrix), the
// target is the median size, and the row is divided by size/target; cells
// of size 0 are left unchanged. A matrix whose first five rows are not
// integer-valued is taken as already normalised and skipped with a
// warning unless Enforce is set. For X with more than 3000 genes, var
// gene_count_corr receives each gene's correlation with the number of
// detected genes per cell. Finally obs n_counts = row sums of X.
//
// Factors and results follow scVelo's float32 arithmetic bit for bit: for
// sparse matrices x·(1/(c/t)), for dense ones x/(c/t), all in float32 when
// the sizes are float32 (as scVelo's obs columns are).
func NormalizePerCell(ctx context.Context, a *anndata.AnnData, opts NormalizePerCellOptions) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := checkShape(a); err != nil {
		return fmt.Errorf("normalize per cell: %w", err)
	}
	keys := normalizeKeys(a, opts)
	for _, k := range keys {
		m, err := getMatrix(a, k)
		if err != nil {
			return fmt.Errorf("normalize per cell: %w", err)
		}
		if err := checkValues(a, k, m, true); err != nil {
			return fmt.Errorf("normalize per cell: %w", err)
		}
	}
	return normalizePerCell(a, keys, opts)
}

// normalizeKeys lists "X" and the present layers to normalise.
func normalizeKeys(a *anndata.AnnData, opts NormalizePerCellOptions) []string {
	layers := opts.Layers
	if opts.AllLayers {
		layers = anndata.SortedKeys(a.Layers)
	} else if layers == nil {
		layers = []string{"spliced", "unspliced"}
	}
	keys := []string{"X"}
	for _, l := range layers {
		if _, ok := a.Layers[l]; ok && !slices.Contains(keys, l) {
			keys = append(keys, l)
		}
	}
	return keys
}

// sizes is a size vector with the dtype scVelo's arithmetic would use.
type sizes struct {
	v   []float64
	f32 bool
}

func normalizePerCell(a *anndata.AnnData, keys []string, opts NormalizePerCellOptions) error {
	n := a.NObs()
	var given *sizes
	switch {
	case opts.CountsPerCellKey != "":
		if !a.Obs.Has(opts.CountsPerCellKey) {
			setInitialSize(a, keys[1:])
		}
		s, err := obsSizes(a, opts.CountsPerCellKey)
		if err != nil {
			return fmt.Errorf("normalize per cell: %w", err)
		}
		given = s
	case opts.CountsPerCell != nil:
		if len(opts.CountsPerCell) != n {
			return fmt.Errorf("normalize per cell: %d counts per cell given for %d cells", len(opts.CountsPerCell), n)
		}
		given = &sizes{v: opts.CountsPerCell}
	}
	if opts.MaxProportionPerCell < 0 || opts.MaxProportionPerCell >= 1 {
		return fmt.Errorf("normalize per cell: max proportion per cell %v is not in (0, 1)", opts.MaxProportionPerCell)
	}
	if opts.CountsPerCellAfter != nil && !(*opts.CountsPerCellAfter >= 0) {
		return fmt.Errorf("normalize per cell: counts per cell after %v is not a non-negative number", *opts.CountsPerCellAfter)
	}
	unshare(a, keys)
	var modified []string
	for _, key := range keys {
		m, _ := getMatrix(a, key)
		if !notYetNormalized(m) && !opts.Enforce {
			opts.Logf.printf("WARNING: Did not normalize %s as it looks processed already. To enforce normalization, set `enforce=True`.", key)
			continue
		}
		var c *sizes
		switch {
		case given != nil:
			c = given
		case opts.UseCurrentSize:
			c = f32Sizes(rowSums32(m))
		default:
			var err error
			if c, err = initialSizes(a, key, m); err != nil {
				return fmt.Errorf("normalize per cell: %w", err)
			}
		}
		if p := opts.MaxProportionPerCell; p > 0 {
			c = f32Sizes(sizeWithoutDominantGenes(m, c.v, p))
		}
		scaleRows(m, c, opts.CountsPerCellAfter)
		modified = append(modified, key)
		if key == "X" && !a.Var.Has("gene_count_corr") && a.NVars() > 3000 {
			a.Var.Set("gene_count_corr", geneCountCorr(m))
		}
	}
	nkey := opts.KeyNCounts
	if nkey == "" {
		nkey = "n_counts"
	}
	a.Obs.Set(nkey, rowSums32(a.X))
	if len(modified) > 0 {
		opts.Logf.printf("Normalized count data: %s.", strings.Join(modified, ", "))
	}
	return nil
}

// unshare copies matrices that appear under several keys, so scaling one
// in place does not scale the others.
func unshare(a *anndata.AnnData, keys []string) {
	seen := map[array.Matrix]bool{}
	for _, k := range append([]string{"X"}, anndata.SortedKeys(a.Layers)...) {
		m, _ := getMatrix(a, k)
		if m == nil {
			continue
		}
		if seen[m] && slices.Contains(keys, k) {
			m = cloneMatrix(m)
			if k == "X" {
				a.X = m
			} else {
				a.Layers[k] = m
			}
		}
		seen[m] = true
	}
}

func cloneMatrix(m array.Matrix) array.Matrix {
	switch t := m.(type) {
	case *array.CSR:
		return t.Clone()
	case *array.Dense:
		return t.Clone()
	}
	panic("preprocess: unknown matrix type")
}

func f32Sizes(v []float32) *sizes {
	s := &sizes{v: make([]float64, len(v)), f32: true}
	for i, x := range v {
		s.v[i] = float64(x)
	}
	return s
}

// obsSizes reads a numeric obs column, remembering whether scVelo would
// compute with it in float32.
func obsSizes(a *anndata.AnnData, key string) (*sizes, error) {
	raw, ok := a.Obs.Get(key)
	if !ok {
		return nil, fmt.Errorf("obs column %q is missing", key)
	}
	v, err := a.Obs.Float64(key)
	if err != nil {
		return nil, err
	}
	_, f32 := raw.([]float32)
	return &sizes{v: v, f32: f32}, nil
}

// initialSizes returns the stored initial size of the matrix (scvelo.core
// get_initial_size), or its current row sums when none is stored.
func initialSizes(a *anndata.AnnData, key string, m array.Matrix) (*sizes, error) {
	col := "initial_size"
	if key != "X" {
		col = "initial_size_" + key
		if key != "spliced" && key != "unspliced" {
			return f32Sizes(rowSums32(m)), nil
		}
	}
	if !a.Obs.Has(col) {
		return f32Sizes(rowSums32(m)), nil
	}
	return obsSizes(a, col)
}

// notYetNormalized is scVelo's not_yet_normalized: every stored value of the
// first five rows has a fractional part (x mod 1, in [0, 1)) of at most
// 1e-3. Values just below an integer therefore count as normalised.
func notYetNormalized(m array.Matrix) bool {
	ok := true
	check := func(v float32) {
		f := float64(v) - math.Floor(float64(v))
		if !(f <= 1e-3) {
			ok = false
		}
	}
	switch t := m.(type) {
	case *array.CSR:
		for i := 0; i < min(5, t.Rows); i++ {
			_, val := t.RowView(i)
			for _, v := range val {
				check(v)
			}
		}
	case *array.Dense:
		for i := 0; i < min(5, t.Rows); i++ {
			for _, v := range t.Row(i) {
				check(v)
			}
		}
	}
	return ok
}

// sizeWithoutDominantGenes is scVelo's counts_per_cell_quantile: the row
// sums over the genes whose every entry is at most p times its cell's size.
func sizeWithoutDominantGenes(m array.Matrix, c []float64, p float64) []float32 {
	_, cols := m.Shape()
	keep := make([]bool, cols)
	for j := range keep {
		keep[j] = true
	}
	forEachRow(m, func(i int, idx []int32, val []float32) {
		limit := c[i] * p
		for k, v := range val {
			if float64(v) > limit {
				keep[col(idx, k)] = false
			}
		}
	})
	out := make([]float32, len(c))
	forEachRow(m, func(i int, idx []int32, val []float32) {
		var s float32
		for k, v := range val {
			if keep[col(idx, k)] {
				s += v
			}
		}
		out[i] = s
	})
	return out
}

// scaleRows divides row i of m by c_i/t in place, t = target or the median
// of c (1 when 0), sizes of 0 becoming 1.
func scaleRows(m array.Matrix, c *sizes, target *float64) {
	n := len(c.v)
	factor := make([]float64, n) // per-row multiplier (CSR) or divisor (dense)
	_, sparse := m.(*array.CSR)
	if c.f32 {
		var t float32
		if target != nil {
			t = float32(*target)
		} else {
			t = median32(c.v)
		}
		if t == 0 {
			t = 1
		}
		for i, v := range c.v {
			f := float32(v) / t
			if f == 0 {
				f = 1
			}
			if sparse {
				factor[i] = float64(1 / f)
			} else {
				factor[i] = float64(f)
			}
		}
	} else {
		var t float64
		if target != nil {
			t = *target
		} else {
			t = median64(c.v)
		}
		if t == 0 {
			t = 1
		}
		for i, v := range c.v {
			f := v / t
			if f == 0 {
				f = 1
			}
			if sparse {
				factor[i] = 1 / f
			} else {
				factor[i] = f
			}
		}
	}
	parallel.For(n, checkChunk, 0, func(_, lo, hi int) {
		for i := lo; i < hi; i++ {
			switch t := m.(type) {
			case *array.CSR:
				_, val := t.RowView(i)
				if c.f32 {
					s := float32(factor[i])
					for k := range val {
						val[k] *= s
					}
				} else {
					for k, v := range val {
						val[k] = float32(float64(v) * factor[i])
					}
				}
			case *array.Dense:
				row := t.Row(i)
				if c.f32 {
					d := float32(factor[i])
					for k := range row {
						row[k] /= d
					}
				} else {
					for k, v := range row {
						row[k] = float32(float64(v) / factor[i])
					}
				}
			}
		}
	})
}

// median32 is numpy's median of float32 values: the middle value, or the
// float32 mean of the two middle values.
func median32(v []float64) float32 {
	s := slices.Clone(v)
	sort.Float64s(s)
	n := len(s)
	if n%2 == 1 {
		return float32(s[n/2])
	}
	return float32(float32(s[n/2-1])+float32(s[n/2])) / 2
}

// median64 is numpy's median in float64.
func median64(v []float64) float64 {
	s := slices.Clone(v)
	sort.Float64s(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// geneCountCorr is scVelo's var gene_count_corr: the Pearson correlation of
// each gene's column with the number of detected genes per cell, rounded to
// 4 decimals (half to even, as numpy). Formed in float64; constant genes
// give NaN as in scVelo.
func geneCountCorr(m array.Matrix) []float64 {
	rows, cols := m.Shape()
	detected := make([]float64, rows)
	forEachRow(m, func(i int, _ []int32, val []float32) {
		for _, v := range val {
			if v > 0 {
				detected[i]++
			}
		}
	})
	var my float64
	for _, y := range detected {
		my += y
	}
	my /= float64(rows)
	var syy float64
	for _, y := range detected {
		syy += (y - my) * (y - my)
	}
	sx := make([]float64, cols)
	sxx := make([]float64, cols)
	sxy := make([]float64, cols)
	forEachRow(m, func(i int, idx []int32, val []float32) {
		dy := detected[i] - my
		for k, v := range val {
			j := col(idx, k)
			x := float64(v)
			sx[j] += x
			sxx[j] += x * x
			sxy[j] += x * dy
		}
	})
	out := make([]float64, cols)
	for j := range out {
		mx := sx[j] / float64(rows)
		vxx := sxx[j] - float64(rows)*mx*mx
		r := sxy[j] / math.Sqrt(vxx*syy)
		out[j] = math.RoundToEven(r*1e4) / 1e4
	}
	return out
}
