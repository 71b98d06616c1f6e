package graph

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/velo-rna/velo/array"
)

// shuffled returns a relabelling of n cells in a random order.
func shuffled(n int, seed uint64) relabel {
	rng := rand.New(rand.NewPCG(seed, 2))
	cells := make([]int32, n)
	for i := range cells {
		cells[i] = int32(i)
	}
	rng.Shuffle(n, func(a, b int) { cells[a], cells[b] = cells[b], cells[a] })
	label := make([]int32, n)
	for k, c := range cells {
		label[c] = int32(k)
	}
	return relabel{cells: cells, label: label}
}

func csrRows(m *array.CSR) rowSource {
	return rowSource{
		bound: func(i int) int { return int(m.Indptr[i+1] - m.Indptr[i]) },
		row: func(i int, idx []int32, val []float32) ([]int32, []float32) {
			a, b := m.RowView(i)
			return append(idx, a...), append(val, b...)
		},
	}
}

// The relabelled matrix holds entry (i, j) of M at (label i, label j), with
// or without reused storage, and toCells undoes the relabelling.
func TestRelabelMatrix(t *testing.T) {
	n := 300
	m := randomChain(n, 7)
	rl := shuffled(n, 1)
	big := &array.CSR{Indices: make([]int32, 2*len(m.Indices)), Data: make([]float32, 2*len(m.Data))}
	for _, reuse := range []*array.CSR{nil, big} {
		p := rl.matrix(csrRows(m), reuse, 3)
		if len(p.Indices) != len(m.Indices) {
			t.Fatalf("reuse %v: %d entries, want %d", reuse != nil, len(p.Indices), len(m.Indices))
		}
		if reuse != nil && &p.Indices[0] != &reuse.Indices[0] {
			t.Error("large enough storage was not reused")
		}
		for k := 0; k < n; k++ {
			idx, val := p.RowView(k)
			i := int(rl.cells[k])
			if len(idx) != int(m.Indptr[i+1]-m.Indptr[i]) {
				t.Fatalf("row %d (cell %d) has %d entries, want %d", k, i, len(idx), m.Indptr[i+1]-m.Indptr[i])
			}
			for q, l := range idx {
				if want := m.At(i, int(rl.cells[l])); val[q] != want {
					t.Fatalf("entry (%d, %d) = %g, want M(%d, %d) = %g", k, l, val[q], i, rl.cells[l], want)
				}
			}
		}
	}
	x := make([]float64, n)
	for k := range x {
		x[k] = float64(k)
	}
	for c, v := range rl.toCells(x) {
		if int(rl.label[c]) != int(v) {
			t.Fatalf("toCells puts label %g at cell %d, want %d", v, c, rl.label[c])
		}
	}
}

// Relabelling the cells changes only the order of sums: the DPT operator
// of the relabelled graph is the relabelled operator, and the terminal
// states are those computed in cell order.
func TestRelabelledSolvesMatchCellOrder(t *testing.T) {
	a := synthGrid(40, 6, 3, 40, "stochastic", 13) // 720 cells: Krylov path
	if err := VelocityGraph(context.Background(), a, GraphOptions{}); err != nil {
		t.Fatal(err)
	}
	n := a.NObs()
	rl := shuffled(n, 3)
	identity := relabel{cells: make([]int32, n), label: make([]int32, n)}
	for i := range identity.cells {
		identity.cells[i], identity.label[i] = int32(i), int32(i)
	}

	pos, neg, err := velocityGraphs(a, "velocity")
	if err != nil {
		t.Fatal(err)
	}
	x := make([]float64, n)
	for i := range x {
		x[i] = math.Cos(float64(i)) + 1.2
	}
	want := make([]float64, n)
	dptOperator(pos, neg, 2)(want, x)
	xl := make([]float64, n)
	for k, c := range rl.cells {
		xl[k] = x[c]
	}
	gotL := make([]float64, n)
	dptOperator(rl.matrix(differenceRows(pos, neg), nil, 2), nil, 2)(gotL, xl)
	for i, v := range rl.toCells(gotL) {
		// Summation order and G = pos − neg rounded to float32 (exact
		// where the two graphs do not overlap): float64 rounding.
		if math.Abs(v-want[i]) > 1e-12*math.Abs(want[i]) {
			t.Fatalf("relabelled DPT operator at cell %d: %g, want %g", i, v, want[i])
		}
	}

	scores := func(r relabel) map[string][]float64 {
		if _, err := terminalStates(context.Background(), a, TerminalOptions{}, r); err != nil {
			t.Fatal(err)
		}
		out := map[string][]float64{}
		for _, key := range []string{"root_cells", "end_points"} {
			out[key], _ = a.Obs.Float64(key)
		}
		return out
	}
	ref, got := scores(identity), scores(rl)
	for key, w := range ref {
		maxDiff := 0.0
		for i := range w {
			maxDiff = math.Max(maxDiff, math.Abs(got[key][i]-w[i]))
		}
		t.Logf("%s: max difference %.3g", key, maxDiff)
		// Eigenvectors converged to a 1e-10 residual; the scores are
		// scaled to [0, 1].
		if maxDiff > 1e-6 {
			t.Errorf("%s differs by %g between cell order and a shuffled order", key, maxDiff)
		}
	}
}
