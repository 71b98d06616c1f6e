package graph

import (
	"context"
	"fmt"

	"github.com/velo-rna/velo/anndata"
	"github.com/velo-rna/velo/array"
	"github.com/velo-rna/velo/internal/parallel"
)

// RowsFunc returns the velocities of cells lo … hi−1 over all of a's genes
// (var order), as a dense (hi−lo) × n_vars matrix. The steps that take one
// read the velocity layer block by block through it instead of holding the
// whole layer, since they read the velocity of the cells they process and
// nothing else. A step is done with each matrix before it asks for the
// next, so the function may refill the same storage every time.
type RowsFunc func(lo, hi int) (*array.Dense, error)

// rowBlockAlign is the number of cells the default row block is a multiple
// of: the row chunking of velo's h5ad layers, so each call reads whole
// chunks.
const rowBlockAlign = 4096

// rowBlockSize returns the cells per call of a RowsFunc: size when set,
// otherwise an eighth of the n cells rounded up to a multiple of
// rowBlockAlign: eight blocks of an eighth of the layer each, few enough
// that a block's reading and the parallel loop's tail cost little, small
// enough that a block and the freed one before it stay small beside the
// layers the steps hold whole.
func rowBlockSize(size, n int) int {
	if size > 0 {
		return size
	}
	q := (n + 7) / 8
	return max(1, (q+rowBlockAlign-1)/rowBlockAlign) * rowBlockAlign
}

// velocityBlocks hands a step the velocity rows of its cells: the whole
// layer at once, or consecutive row blocks read through rows, one at a time.
type velocityBlocks struct {
	layer   array.Matrix // whole-layer mode
	rows    RowsFunc     // row-block mode, when set
	size    int          // cells per block
	a       *anndata.AnnData
	genes   []int // the genes the step uses, checked for NaN in each block
	threads int
}

func newVelocityBlocks(a *anndata.AnnData, layer array.Matrix, rows RowsFunc, size int, genes []int, threads int) (velocityBlocks, error) {
	if size < 0 {
		return velocityBlocks{}, fmt.Errorf("negative row block size %d", size)
	}
	return velocityBlocks{layer: layer, rows: rows, size: rowBlockSize(size, a.NObs()), a: a, genes: genes, threads: threads}, nil
}

// each calls f once per block with the block's velocities v (row r is cell
// lo+r) and the block's cells in the given processing order. Blocks come
// in cell order and the order within one is that of order, so every cell
// is processed exactly as in a single pass, only grouped by block.
func (s velocityBlocks) each(ctx context.Context, order []int32, f func(v array.Matrix, lo int, cells []int32)) error {
	if s.rows == nil {
		f(s.layer, 0, order)
		return ctx.Err()
	}
	n := len(order)
	grouped, start := blockOrder(order, s.size)
	for b := 0; b+1 < len(start); b++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		lo, hi := b*s.size, min((b+1)*s.size, n)
		v, err := s.read(lo, hi)
		if err != nil {
			return err
		}
		f(v, lo, grouped[start[b]:start[b+1]])
	}
	return ctx.Err()
}

// read returns the velocities of cells lo … hi−1, checking their shape and
// that no gene in use is NaN (the whole-layer mode drops such genes, which
// a block cannot do without every other block).
func (s velocityBlocks) read(lo, hi int) (*array.Dense, error) {
	v, err := s.rows(lo, hi)
	if err != nil {
		return nil, fmt.Errorf("velocity of cells %d…%d: %w", lo, hi-1, err)
	}
	if v == nil || v.Rows != hi-lo || v.Cols != s.a.NVars() {
		r, c := 0, 0
		if v != nil {
			r, c = v.Rows, v.Cols
		}
		return nil, fmt.Errorf("velocity of cells %d…%d is %d×%d, want %d×%d", lo, hi-1, r, c, hi-lo, s.a.NVars())
	}
	// The first NaN in cell order is reported, whatever the threads.
	const chunk = 1024
	first := make([][2]int, parallel.Chunks(v.Rows, chunk))
	parallel.For(v.Rows, chunk, s.threads, func(c, rlo, rhi int) {
		first[c] = [2]int{-1, -1}
		for r := rlo; r < rhi; r++ {
			row := v.Row(r)
			for _, j := range s.genes {
				if x := row[j]; x != x {
					first[c] = [2]int{r, j}
					return
				}
			}
		}
	})
	for _, f := range first {
		if r, j := f[0], f[1]; r >= 0 {
			return nil, fmt.Errorf("velocity of gene %q is NaN in cell %q (row %d)", s.a.Var.Index[j], s.a.Obs.Index[lo+r], lo+r)
		}
	}
	return v, nil
}

// blockOrder returns the cells of order grouped by row block of the given
// size, keeping their relative order within each block; block b's cells
// are grouped[start[b]:start[b+1]].
func blockOrder(order []int32, size int) (grouped []int32, start []int) {
	nb := (len(order) + size - 1) / size
	start = make([]int, nb+1)
	for _, i := range order {
		start[int(i)/size+1]++
	}
	for b := 0; b < nb; b++ {
		start[b+1] += start[b]
	}
	grouped = make([]int32, len(order))
	next := append([]int(nil), start[:nb]...)
	for _, i := range order {
		b := int(i) / size
		grouped[next[b]] = i
		next[b]++
	}
	return grouped, start
}
