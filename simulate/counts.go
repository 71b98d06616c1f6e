package simulate

import (
	"math"

	"github.com/velo-rna/velo/array"
	"github.com/velo-rna/velo/internal/parallel"
)

// cellBlock is the number of consecutive cells sampled from one random
// stream. It is fixed, not derived from the thread count, so the counts are
// the same for any Threads.
const cellBlock = 256

// rowBlock is a run of CSR rows built by one block: row pointers relative to
// the block's first entry.
type rowBlock struct {
	indptr  []int64
	indices []int32
	data    []float32
}

func (b *rowBlock) add(j int, v int) {
	b.indices = append(b.indices, int32(j))
	b.data = append(b.data, float32(v))
}

func (b *rowBlock) endRow() { b.indptr = append(b.indptr, int64(len(b.data))) }

// sampleCounts draws the spliced and unspliced counts of every cell, row by
// row, never holding a dense cells × genes matrix. When vel is not nil it
// receives the noise-free velocity βu − γs of each cell and gene.
func sampleCounts(genes []gene, c cells, seed uint64, threads int, vel *array.Dense) (spliced, unspliced *array.CSR) {
	n := len(c.time)
	// byFate[f] is the table of every gene's path along fate f, walked in
	// gene order for each cell of that fate.
	byFate := make([][]path, c.fates)
	for f := range byFate {
		byFate[f] = make([]path, len(genes))
		for g := range genes {
			byFate[f][g] = genes[g].paths[f]
		}
	}
	nb := parallel.Chunks(n, cellBlock)
	sBlocks, uBlocks := make([]rowBlock, nb), make([]rowBlock, nb)
	parallel.For(n, cellBlock, threads, func(blk, lo, hi int) {
		r := newRand(seed, countStream, blk)
		// Capacities from the sparsity targets (30% and 10% non-zero) save
		// most reallocations; appends grow them when a block is denser.
		entries := (hi - lo) * len(genes)
		sb := rowBlock{indptr: make([]int64, 1, hi-lo+1), indices: make([]int32, 0, entries/3), data: make([]float32, 0, entries/3)}
		ub := rowBlock{indptr: make([]int64, 1, hi-lo+1), indices: make([]int32, 0, entries/8), data: make([]float32, 0, entries/8)}
		for i := lo; i < hi; i++ {
			t, size := c.time[i], c.size[i]
			decay := math.Exp(-beta * t)
			var vrow []float32
			if vel != nil {
				vrow = vel.Row(i)
			}
			table := byFate[c.fate[i]]
			for g := range table {
				p := &table[g]
				u, s := p.at(t, decay)
				if vrow != nil {
					vrow[g] = float32(beta*u - p.gamma*s)
				}
				ku, ks := poissonPair(r, size*u, size*s)
				if ku > 0 {
					ub.add(g, ku)
				}
				if ks > 0 {
					sb.add(g, ks)
				}
			}
			sb.endRow()
			ub.endRow()
		}
		sBlocks[blk], uBlocks[blk] = sb, ub
	})
	return mergeBlocks(sBlocks, n, len(genes)), mergeBlocks(uBlocks, n, len(genes))
}

// mergeBlocks concatenates row blocks, in order, into one CSR matrix. Each
// block is released once copied so the peak memory stays near one copy of
// the counts plus one block.
func mergeBlocks(blocks []rowBlock, rows, cols int) *array.CSR {
	nnz := 0
	for _, b := range blocks {
		nnz += len(b.data)
	}
	m := &array.CSR{Rows: rows, Cols: cols, Indptr: make([]int64, 1, rows+1),
		Indices: make([]int32, 0, nnz), Data: make([]float32, 0, nnz)}
	for k := range blocks {
		b := &blocks[k]
		off := int64(len(m.Data))
		for _, p := range b.indptr[1:] {
			m.Indptr = append(m.Indptr, off+p)
		}
		m.Indices = append(m.Indices, b.indices...)
		m.Data = append(m.Data, b.data...)
		*b = rowBlock{}
	}
	return m
}
