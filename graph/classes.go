package graph

import (
	"context"
	"slices"

	"github.com/velo-rna/velo/array"
	"github.com/velo-rna/velo/internal/parallel"
)

// closedClasses returns the closed communicating classes of a Markov
// chain given by the pattern of m: entry (r, c) is a transition c → r when
// m is the transposed transition matrix tt, and r → c when transposed is
// set (m has the transition matrix's pattern). Each class is its cells in
// increasing order, classes by their first cell: strongly connected sets no
// transition leaves, with a self-loop when they are a single cell. Rows of
// the transition matrix sum to 1 wherever they have entries, so each class
// gives tt an eigenvalue 1 whose eigenvector is the class's stationary
// distribution. The strongly connected components of a graph and of its
// reverse are the same, so one pass serves both orientations.
func closedClasses(m *array.CSR, transposed bool) [][]int32 {
	comp, ncomp := strongComponents(m)
	return classesOf(m, transposed, comp, ncomp)
}

// classesOf is closedClasses given the strongly connected components of m.
func classesOf(m *array.CSR, transposed bool, comp []int32, ncomp int) [][]int32 {
	closed := make([]bool, ncomp)
	loop := make([]bool, ncomp)
	members := make([][]int32, ncomp)
	for c := range closed {
		closed[c] = true
	}
	for r := 0; r < m.Rows; r++ {
		members[comp[r]] = append(members[comp[r]], int32(r))
		idx, _ := m.RowView(r)
		for _, c := range idx {
			switch {
			case int(c) == r:
				loop[comp[r]] = true
			case comp[c] == comp[r]:
			case transposed:
				closed[comp[r]] = false
			default:
				closed[comp[c]] = false
			}
		}
	}
	var out [][]int32
	for c, ok := range closed {
		if ok && (len(members[c]) > 1 || loop[c]) {
			out = append(out, members[c])
		}
	}
	slices.SortFunc(out, func(a, b []int32) int { return int(a[0] - b[0]) })
	return out
}

// stationary returns the stationary distribution of the closed class
// members (sorted cells) as a vector over all n cells, from sub, the
// chain's transposed transition matrix restricted to the class: its
// eigenvector for the eigenvalue of largest real part (1, a simple
// eigenvalue within one class).
func stationary(ctx context.Context, sub *classBlock, members []int32, n int) ([]float64, error) {
	out := make([]float64, n)
	if len(members) == 1 {
		out[members[0]] = 1
		return out, nil
	}
	tmp := make([]float64, len(members))
	p := eigenProblem{
		op:      func(dst, src []float64) { sub.apply(dst, src, tmp) },
		n:       len(members),
		nev:     1,
		score:   func(z complex128) float64 { return real(z) },
		threads: 1,
	}
	pairs, err := p.solve(ctx)
	if err != nil {
		return nil, err
	}
	for k, r := range members {
		out[r] = pairs.vectors[0][k]
	}
	return out, nil
}

// strongComponents labels the strongly connected components of the
// directed graph of m's pattern (Tarjan's algorithm without recursion).
func strongComponents(m *array.CSR) (comp []int32, count int) {
	n := m.Rows
	index := make([]int32, n) // visiting order + 1; 0 = not yet visited
	low := make([]int32, n)
	comp = make([]int32, n)
	onStack := make([]bool, n)
	var stack []int32
	type frame struct {
		v    int32
		next int64
	}
	var calls []frame
	var counter int32
	visit := func(v int32) {
		counter++
		index[v], low[v] = counter, counter
		stack = append(stack, v)
		onStack[v] = true
		calls = append(calls, frame{v, m.Indptr[v]})
	}
	for s := 0; s < n; s++ {
		if index[s] != 0 {
			continue
		}
		visit(int32(s))
		for len(calls) > 0 {
			f := &calls[len(calls)-1]
			v := f.v
			if f.next < m.Indptr[v+1] {
				w := m.Indices[f.next]
				f.next++
				if index[w] == 0 {
					visit(w)
				} else if onStack[w] {
					low[v] = min(low[v], index[w])
				}
				continue
			}
			calls = calls[:len(calls)-1]
			if len(calls) > 0 {
				u := calls[len(calls)-1].v
				low[u] = min(low[u], low[v])
			}
			if low[v] == index[v] {
				for {
					w := stack[len(stack)-1]
					stack = stack[:len(stack)-1]
					onStack[w] = false
					comp[w] = int32(count)
					if w == v {
						break
					}
				}
				count++
			}
		}
	}
	return comp, count
}

// closedClasses returns the chain's closed classes (closedClasses of its
// kernel) in order of their first cell. The strongly connected components
// are found once for both chains on the kernel: the forward chain's
// pattern is the backward chain's transposed.
func (c *chain) closedClasses() [][]int32 {
	if c.comp == nil {
		c.comp, c.ncomp = strongComponents(c.k)
	}
	classes := classesOf(c.k, c.isForward, c.comp, c.ncomp)
	if c.cells != nil {
		first := func(members []int32) int32 {
			f := c.cells[members[0]]
			for _, m := range members {
				f = min(f, c.cells[m])
			}
			return f
		}
		slices.SortFunc(classes, func(a, b []int32) int { return int(first(a) - first(b)) })
	}
	return classes
}

// stationaries returns the stationary distribution of each closed class.
// A class of up to half the cells is solved on its own block of tt; a
// larger one on tt itself from a start vector on the class, which tt keeps
// on the class (no transition leaves it), sparing a copy of most of the
// kernel.
func (c *chain) stationaries(ctx context.Context, classes [][]int32, threads int) ([][]float64, error) {
	n := c.k.Rows
	pos := make([]int32, n) // cell → position in its class, −1 elsewhere
	for i := range pos {
		pos[i] = -1
	}
	out := make([][]float64, len(classes))
	for k, members := range classes {
		var err error
		if 2*len(members) <= n {
			out[k], err = stationary(ctx, c.block(members, pos), members, n)
		} else {
			out[k], err = c.stationaryInPlace(ctx, members, threads)
		}
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// stationaryInPlace is the stationary distribution of the closed class
// members from tt restricted to vectors on the class: entries elsewhere
// are zeroed before each product, so the iteration's random restarts
// cannot leave it.
func (c *chain) stationaryInPlace(ctx context.Context, members []int32, threads int) ([]float64, error) {
	n := c.k.Rows
	in := make([]bool, n)
	for _, m := range members {
		in[m] = true
	}
	onClass := make([]float64, n)
	p := eigenProblem{
		op: func(dst, src []float64) {
			parallel.For(n, mulChunk, threads, func(_, lo, hi int) {
				for i := lo; i < hi; i++ {
					onClass[i] = 0
					if in[i] {
						onClass[i] = src[i]
					}
				}
			})
			c.apply(dst, onClass, threads)
		},
		n:       n,
		nev:     1,
		score:   func(z complex128) float64 { return real(z) },
		threads: threads,
	}
	pairs, err := p.solve(ctx)
	if err != nil {
		return nil, err
	}
	return pairs.vectors[0], nil
}
