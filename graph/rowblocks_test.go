package graph

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/velo-rna/velo/anndata"
	"github.com/velo-rna/velo/array"
)

// blockSource serves rows of a saved velocity layer as a RowsFunc and
// records the blocks asked for.
type blockSource struct {
	v     *array.Dense
	calls [][2]int
}

func (s *blockSource) rows(lo, hi int) (*array.Dense, error) {
	s.calls = append(s.calls, [2]int{lo, hi})
	out := array.NewDense(hi-lo, s.v.Cols)
	copy(out.Data, s.v.Data[lo*s.v.Cols:hi*s.v.Cols])
	return out, nil
}

// takeVelocity removes the velocity layer from a, so a step that still read
// it would fail, and returns a source of its rows.
func takeVelocity(a *anndata.AnnData) *blockSource {
	s := &blockSource{v: a.Layers["velocity"].(*array.Dense)}
	delete(a.Layers, "velocity")
	return s
}

// checkBlocks reports whether calls are the consecutive blocks of size
// cells covering n cells, each once.
func checkBlocks(t *testing.T, calls [][2]int, n, size int) {
	t.Helper()
	var want [][2]int
	for lo := 0; lo < n; lo += size {
		want = append(want, [2]int{lo, min(lo+size, n)})
	}
	if !slices.Equal(calls, want) {
		t.Errorf("blocks read %v, want %v", calls, want)
	}
}

func sameCSR(a, b *array.CSR) bool {
	return slices.Equal(a.Indptr, b.Indptr) && slices.Equal(a.Indices, b.Indices) && slices.Equal(a.Data, b.Data)
}

// sameBits compares float columns bit for bit (NaN equal to NaN).
func sameBits(x, y []float64) bool {
	return len(x) == len(y) && slices.EqualFunc(x, y, func(p, q float64) bool { return math.Float64bits(p) == math.Float64bits(q) })
}

// graphInput builds the test data of one case: 300 cells (12·5·5), 37
// genes, so no block size below divides both, optionally with var
// velocity_genes leaving some genes out and var spearmans_score keeping
// only some of the rest.
func graphInput(mode string, subset bool) *anndata.AnnData {
	a := synthGrid(12, 5, 5, 37, mode, 21)
	if subset {
		use := make([]bool, a.NVars())
		score := make([]float64, a.NVars())
		for j := range use {
			use[j] = j%5 != 2
			score[j] = float64(j%4) * 0.1 // genes j%4 < 2 have score ≤ 0.1
		}
		a.Var.Set("velocity_genes", use)
		a.Var.Set("spearmans_score", score)
	}
	return a
}

var blockSizes = []int{0, 1, 7, 64, 128, 299, 300, 1000}

func TestVelocityGraphRowBlocksMatchLayer(t *testing.T) {
	for _, mode := range []string{"stochastic", "deterministic"} {
		for _, subset := range []bool{false, true} {
			want := graphInput(mode, subset)
			runGraph(t, want, GraphOptions{Threads: 1})
			n := want.NObs()
			for _, size := range blockSizes {
				for _, threads := range []int{1, 4} {
					t.Run(fmt.Sprintf("%s/subset=%v/block=%d/threads=%d", mode, subset, size, threads), func(t *testing.T) {
						a := graphInput(mode, subset)
						src := takeVelocity(a)
						err := VelocityGraph(context.Background(), a, GraphOptions{VelocityRows: src.rows, RowBlock: size, Threads: threads})
						if err != nil {
							t.Fatal(err)
						}
						checkBlocks(t, src.calls, n, rowBlockSize(size, n))
						for _, key := range []string{"velocity_graph", "velocity_graph_neg"} {
							if !sameCSR(a.Uns[key].(*array.CSR), want.Uns[key].(*array.CSR)) {
								t.Errorf("uns %s differs from the whole-layer graph", key)
							}
						}
						x, _ := a.Obs.Float64("velocity_self_transition")
						y, _ := want.Obs.Float64("velocity_self_transition")
						if !sameBits(x, y) {
							t.Error("obs velocity_self_transition differs from the whole-layer one")
						}
						p, q := a.Uns["velocity_params"].(map[string]any), want.Uns["velocity_params"].(map[string]any)
						if fmt.Sprint(p) != fmt.Sprint(q) {
							t.Errorf("uns velocity_params %v, want %v", p, q)
						}
					})
				}
			}
		}
	}
}

func TestVelocityConfidenceTransitionRowBlocksMatchLayer(t *testing.T) {
	const key = "velocity_confidence_transition"
	for _, subset := range []bool{false, true} {
		want := graphInput("stochastic", subset)
		runGraph(t, want, GraphOptions{Threads: 1})
		if err := VelocityConfidence(context.Background(), want, ConfidenceOptions{Threads: 1}); err != nil {
			t.Fatal(err)
		}
		ref, _ := want.Obs.Float64(key)
		n := want.NObs()
		// A copy of want's inputs, graphs included, without the outputs.
		input := func() *anndata.AnnData {
			a := graphInput("stochastic", subset)
			for _, k := range []string{"velocity_graph", "velocity_graph_neg"} {
				a.Uns[k] = want.Uns[k]
			}
			return a
		}
		t.Run(fmt.Sprintf("subset=%v/layer", subset), func(t *testing.T) {
			a := input()
			if err := VelocityConfidenceTransition(context.Background(), a, TransitionConfidenceOptions{Threads: 4}); err != nil {
				t.Fatal(err)
			}
			if got, _ := a.Obs.Float64(key); !sameBits(got, ref) {
				t.Errorf("obs %s differs from VelocityConfidence's", key)
			}
		})
		for _, size := range blockSizes {
			for _, threads := range []int{1, 4} {
				t.Run(fmt.Sprintf("subset=%v/block=%d/threads=%d", subset, size, threads), func(t *testing.T) {
					a := input()
					src := takeVelocity(a)
					err := VelocityConfidenceTransition(context.Background(), a, TransitionConfidenceOptions{VelocityRows: src.rows, RowBlock: size, Threads: threads})
					if err != nil {
						t.Fatal(err)
					}
					checkBlocks(t, src.calls, n, rowBlockSize(size, n))
					if got, _ := a.Obs.Float64(key); !sameBits(got, ref) {
						t.Errorf("obs %s differs from VelocityConfidence's", key)
					}
				})
			}
		}
		t.Run(fmt.Sprintf("subset=%v/skip", subset), func(t *testing.T) {
			// Without the transition part, neither Ms nor the kernel is
			// needed and an existing column is left alone.
			a := input()
			delete(a.Layers, "Ms")
			stale := make([]float32, n)
			a.Obs.Set(key, stale)
			if err := VelocityConfidence(context.Background(), a, ConfidenceOptions{SkipTransition: true, Threads: 4}); err != nil {
				t.Fatal(err)
			}
			for _, k := range []string{"velocity_length", "velocity_confidence"} {
				x, _ := a.Obs.Float64(k)
				y, _ := want.Obs.Float64(k)
				if !sameBits(x, y) {
					t.Errorf("obs %s differs from the full call's", k)
				}
			}
			if got, _ := a.Obs.Get(key); &got.([]float32)[0] != &stale[0] {
				t.Errorf("obs %s was replaced", key)
			}
		})
	}
}

func TestRowBlocksRejectBadVelocities(t *testing.T) {
	nanAt := func(cell, gene int) func(*blockSource) {
		return func(s *blockSource) { s.v.Set(cell, gene, float32(math.NaN())) }
	}
	tests := []struct {
		name   string
		change func(*blockSource)
		size   int
		want   string // in the error; "" for none
	}{
		{"nan", nanAt(137, 5), 64, `gene "gene5" is NaN in cell "cell137"`},
		{"first nan in cell order", func(s *blockSource) { nanAt(140, 3)(s); nanAt(131, 9)(s) }, 0, `gene "gene9" is NaN in cell "cell131"`},
		{"nan in an unused gene", nanAt(137, 7), 64, ""}, // var velocity_genes leaves gene 7 out
		{"wrong shape", func(s *blockSource) { s.v = array.NewDense(s.v.Rows, s.v.Cols-1) }, 64, "want 64×37"},
		{"negative block", func(*blockSource) {}, -1, "negative row block size -1"},
	}
	steps := []struct {
		name string
		run  func(*anndata.AnnData, RowsFunc, int) error
	}{
		{"graph", func(a *anndata.AnnData, rows RowsFunc, size int) error {
			return VelocityGraph(context.Background(), a, GraphOptions{VelocityRows: rows, RowBlock: size})
		}},
		{"transition", func(a *anndata.AnnData, rows RowsFunc, size int) error {
			return VelocityConfidenceTransition(context.Background(), a, TransitionConfidenceOptions{VelocityRows: rows, RowBlock: size})
		}},
	}
	graphs := graphInput("stochastic", false)
	runGraph(t, graphs, GraphOptions{})
	for _, tt := range tests {
		for _, step := range steps {
			t.Run(tt.name+"/"+step.name, func(t *testing.T) {
				a := graphInput("stochastic", false)
				use := make([]bool, a.NVars())
				for j := range use {
					use[j] = j != 7
				}
				a.Var.Set("velocity_genes", use)
				for _, k := range []string{"velocity_graph", "velocity_graph_neg"} {
					a.Uns[k] = graphs.Uns[k]
				}
				src := takeVelocity(a)
				tt.change(src)
				err := step.run(a, src.rows, tt.size)
				switch {
				case tt.want == "" && err != nil:
					t.Errorf("error %v", err)
				case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
					t.Errorf("error %v, want one containing %q", err, tt.want)
				}
			})
		}
	}
}

func TestRowBlockSize(t *testing.T) {
	tests := []struct{ size, n, want int }{
		{0, 0, 4096},
		{0, 300, 4096},
		{0, 32768, 4096},
		{0, 32769, 8192},
		{0, 1_000_000, 126976}, // ⌈125000/4096⌉ = 31 chunks
		{100, 1_000_000, 100},
	}
	for _, tt := range tests {
		if got := rowBlockSize(tt.size, tt.n); got != tt.want {
			t.Errorf("rowBlockSize(%d, %d) = %d, want %d", tt.size, tt.n, got, tt.want)
		}
	}
}
