package umap

import (
	"fmt"
	"math"
	"slices"

	"github.com/velo-rna/velo/array"
)

// graph is the weighted, undirected graph Embed optimises: the input with
// its weak edges pruned, as CSR with both directions of every edge stored.
type graph struct {
	n       int
	indptr  []int64
	indices []int32
	weights []float32
	maxW    float32
}

// newGraph checks the connectivity matrix and drops the entries umap-learn
// drops: zeros and weights below max/nEpochs (which would be sampled less
// than once), with umap-learn's rule of using default epochs for the
// threshold when nEpochs ≤ 10.
func newGraph(m *array.CSR, nEpochs int) (*graph, error) {
	if m.Rows != m.Cols {
		return nil, fmt.Errorf("umap: connectivity graph is %d×%d, want a square matrix", m.Rows, m.Cols)
	}
	if err := m.Validate(); err != nil {
		// Rows in any column order are fine; everything else is an error.
		m = m.Clone()
		m.SortIndices()
		if m.Validate() != nil {
			return nil, fmt.Errorf("umap: connectivity graph: %w", err)
		}
	}
	if m.Rows > math.MaxInt32 || len(m.Data) > math.MaxInt32 {
		return nil, fmt.Errorf("umap: connectivity graph has %d vertices and %d entries, more than int32 indices allow",
			m.Rows, len(m.Data))
	}
	var maxW float32
	for k, w := range m.Data {
		if !(w >= 0) || math.IsInf(float64(w), 0) {
			return nil, fmt.Errorf("umap: connectivity graph has weight %v at entry %d; weights must be finite and non-negative", w, k)
		}
		maxW = max(maxW, w)
	}
	if err := checkSymmetric(m); err != nil {
		return nil, err
	}
	thresholdEpochs := nEpochs
	if nEpochs <= 10 {
		thresholdEpochs = defaultEpochs(m.Rows)
	}
	cut := maxW / float32(thresholdEpochs)
	g := &graph{n: m.Rows, indptr: make([]int64, m.Rows+1), maxW: maxW,
		indices: make([]int32, 0, len(m.Indices)), weights: make([]float32, 0, len(m.Data))}
	for i := 0; i < m.Rows; i++ {
		idx, val := m.RowView(i)
		for k, w := range val {
			if w > 0 && w >= cut {
				g.indices = append(g.indices, idx[k])
				g.weights = append(g.weights, w)
			}
		}
		g.indptr[i+1] = int64(len(g.indices))
	}
	return g, nil
}

// checkSymmetric reports an error unless m equals its transpose, values
// within a relative 1e-5 (the fuzzy union is symmetric by construction; the
// tolerance only forgives a float64 → float32 round trip).
func checkSymmetric(m *array.CSR) error {
	t := m.Transpose()
	for i := 0; i < m.Rows; i++ {
		ai, av := m.RowView(i)
		bi, bv := t.RowView(i)
		// Explicit zeros may sit on one side only; compare non-zero entries.
		p, q := 0, 0
		for p < len(ai) || q < len(bi) {
			for p < len(ai) && av[p] == 0 {
				p++
			}
			for q < len(bi) && bv[q] == 0 {
				q++
			}
			if p == len(ai) && q == len(bi) {
				break
			}
			if p == len(ai) || q == len(bi) || ai[p] != bi[q] ||
				math.Abs(float64(av[p])-float64(bv[q])) > 1e-5*math.Max(float64(av[p]), float64(bv[q])) {
				j := 0
				if p < len(ai) {
					j = int(ai[p])
				} else {
					j = int(bi[q])
				}
				return fmt.Errorf("umap: connectivity graph is not symmetric (row %d, column %d); pass the fuzzy union obsp['connectivities']", i, j)
			}
			p++
			q++
		}
	}
	return nil
}

// components labels the connected components of g and returns, for each
// component, its vertices in increasing order. Components are ordered by
// decreasing size, ties by their smallest vertex.
func (g *graph) components() [][]int32 {
	label := make([]int32, g.n)
	for i := range label {
		label[i] = -1
	}
	var comps [][]int32
	var stack []int32
	for s := 0; s < g.n; s++ {
		if label[s] >= 0 {
			continue
		}
		id := int32(len(comps))
		label[s] = id
		stack = append(stack[:0], int32(s))
		members := []int32{int32(s)}
		for len(stack) > 0 {
			v := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			for _, u := range g.indices[g.indptr[v]:g.indptr[v+1]] {
				if label[u] < 0 {
					label[u] = id
					stack = append(stack, u)
					members = append(members, u)
				}
			}
		}
		slices.Sort(members)
		comps = append(comps, members)
	}
	slices.SortStableFunc(comps, func(a, b []int32) int { return len(b) - len(a) })
	return comps
}

// subgraph returns the graph induced by the component vs, renumbered
// 0..len(vs)−1; local[v] must hold the position of v within vs.
func (g *graph) subgraph(vs []int32, local []int32) *graph {
	s := &graph{n: len(vs), indptr: make([]int64, len(vs)+1), maxW: g.maxW}
	for k, v := range vs {
		a, b := g.indptr[v], g.indptr[v+1]
		for e := a; e < b; e++ {
			// A component is closed under edges, so every neighbour is local.
			s.indices = append(s.indices, local[g.indices[e]])
			s.weights = append(s.weights, g.weights[e])
		}
		s.indptr[k+1] = int64(len(s.indices))
	}
	return s
}
