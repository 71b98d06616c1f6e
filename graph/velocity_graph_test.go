package graph

import (
	"context"
	"github.com/velo-rna/velo/internal/numeric"
	"math"
	"slices"
	"testing"

	"github.com/velo-rna/velo/anndata"
	"github.com/velo-rna/velo/array"
)

// oracleCosines follows scVelo's VelocityGraph literally in float64:
// candidate sets by recursion over the distance graph, dX = X_j − X_i,
// optional sign·sqrt, centring, cosine with the centred velocity. It
// returns map[i][j] = cosine for every defined, non-zero value.
func oracleCosines(a *anndata.AnnData, sqrt bool) []map[int]float64 {
	ms := a.Layers["Ms"].(*array.Dense)
	vel := a.Layers["velocity"].(*array.Dense)
	dist := a.Obsp["distances"]
	n, g := ms.Rows, ms.Cols
	tr := func(x float64) float64 {
		if sqrt {
			return math.Copysign(math.Sqrt(math.Abs(x)), x)
		}
		return x
	}
	out := make([]map[int]float64, n)
	for i := 0; i < n; i++ {
		out[i] = map[int]float64{}
		v := make([]float64, g)
		var mean float64
		for k := range v {
			v[k] = tr(float64(vel.At(i, k)))
			mean += v[k]
		}
		mean /= float64(g)
		var vn float64
		for k := range v {
			v[k] -= mean
			vn += v[k] * v[k]
		}
		if vn == 0 {
			continue
		}
		set := map[int]bool{i: true}
		frontier := []int{i}
		for r := 0; r < 2; r++ {
			var next []int
			for _, x := range frontier {
				idx, _ := dist.RowView(x)
				for _, y := range idx {
					if !set[int(y)] {
						set[int(y)] = true
						next = append(next, int(y))
					}
				}
			}
			frontier = next
		}
		for j := range set {
			d := make([]float64, g)
			var dm float64
			for k := range d {
				d[k] = tr(float64(ms.At(j, k)) - float64(ms.At(i, k)))
				dm += d[k]
			}
			dm /= float64(g)
			var dd, dv float64
			for k := range d {
				d[k] -= dm
				dd += d[k] * d[k]
				dv += d[k] * v[k]
			}
			c := dv / math.Sqrt(dd*vn)
			if c == c && c != 0 && dd > 1e-9 {
				out[i][j] = c
			}
		}
	}
	return out
}

func runGraph(t *testing.T, a *anndata.AnnData, opts GraphOptions) (pos, neg *array.CSR) {
	t.Helper()
	if err := VelocityGraph(context.Background(), a, opts); err != nil {
		t.Fatal(err)
	}
	pos, neg = a.Uns["velocity_graph"].(*array.CSR), a.Uns["velocity_graph_neg"].(*array.CSR)
	for _, g := range []*array.CSR{pos, neg} {
		if err := g.Validate(); err != nil {
			t.Fatalf("graph is not a valid CSR with sorted indices: %v", err)
		}
	}
	return pos, neg
}

func TestVelocityGraphMatchesOracle(t *testing.T) {
	for _, tc := range []struct {
		mode string
		sqrt bool
	}{{"stochastic", true}, {"deterministic", false}} {
		t.Run(tc.mode, func(t *testing.T) {
			a := synthGrid(9, 6, 4, 45, tc.mode, 3)
			pos, neg := runGraph(t, a, GraphOptions{})
			want := oracleCosines(a, tc.sqrt)
			maxDiff, missing, extra := 0.0, 0, 0
			for i := range want {
				got := map[int]float64{}
				for _, g := range []*array.CSR{pos, neg} {
					idx, val := g.RowView(i)
					for k, j := range idx {
						got[int(j)] = float64(val[k])
					}
				}
				for j, w := range want[i] {
					v, ok := got[j]
					if !ok {
						missing++
						continue
					}
					if (w > 0) != (v > 0) {
						t.Errorf("cell %d→%d: sign differs (got %g, want %g)", i, j, v, w)
					}
					maxDiff = math.Max(maxDiff, math.Abs(v-w))
				}
				for j := range got {
					if _, ok := want[i][j]; !ok {
						extra++
					}
				}
			}
			// float32 inputs and sums: scVelo itself agrees with float64 to
			// ~1e-6 (spec §D); allow 1e-5.
			if maxDiff > 1e-5 || missing > 0 || extra > 0 {
				t.Errorf("max |Δcos| %.3g, %d missing and %d extra entries", maxDiff, missing, extra)
			}
			p := a.Uns["velocity_params"].(map[string]any)
			if p["mode_neighbors"] != "distances" || p["n_recurse_neighbors"] != int64(2) {
				t.Errorf("velocity_params = %v, want mode_neighbors distances and n_recurse_neighbors 2", p)
			}
		})
	}
}

// A cell whose velocity is constant across genes has a zero centred
// velocity: empty graph rows, the 98th-percentile self-transition, a pure
// self loop in the transition matrix and a NaN embedding arrow (spec C2).
func TestZeroVelocityCell(t *testing.T) {
	a := synthGrid(8, 5, 3, 30, "stochastic", 5)
	const still = 17
	vel := a.Layers["velocity"].(*array.Dense)
	for k := range vel.Row(still) {
		vel.Row(still)[k] = 2.5
	}
	pos, neg := runGraph(t, a, GraphOptions{})
	if idx, _ := pos.RowView(still); len(idx) != 0 {
		t.Errorf("positive row of the still cell has %d entries", len(idx))
	}
	if idx, _ := neg.RowView(still); len(idx) != 0 {
		t.Errorf("negative row of the still cell has %d entries", len(idx))
	}
	r := make([]float64, pos.Rows)
	for i := range r {
		_, val := pos.RowView(i)
		for _, v := range val {
			r[i] = math.Max(r[i], float64(v))
		}
	}
	self, _ := a.Obs.Float64("velocity_self_transition")
	if want := math.Min(numeric.Percentile(r, 98), 1); math.Abs(self[still]-want) > 1e-6 {
		t.Errorf("self transition %g, want pct98 of row maxima %g", self[still], want)
	}
	tm, err := TransitionMatrix(a, TransitionOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if idx, val := tm.RowView(still); len(idx) != 1 || int(idx[0]) != still || val[0] != 1 {
		t.Errorf("transition row of the still cell = %v %v, want a self loop of 1", idx, val)
	}
	if err := VelocityEmbedding(context.Background(), a, EmbeddingOptions{Basis: "umap"}); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"velocity_umap", "velocity_umap_raw"} {
		row := a.Obsm[key].Row(still)
		if !math.IsNaN(float64(row[0])) || !math.IsNaN(float64(row[1])) {
			t.Errorf("%s of the still cell = %v, want NaN", key, row)
		}
		for i := 0; i < a.NObs(); i++ {
			if i != still && math.IsNaN(float64(a.Obsm[key].At(i, 0))) {
				t.Fatalf("%s of moving cell %d is NaN", key, i)
			}
		}
	}
}

// A displacement that is the same for every gene has no defined
// correlation; it is dropped from both graphs in both modes (spec C2).
func TestConstantDisplacementDropped(t *testing.T) {
	for _, mode := range []string{"stochastic", "deterministic"} {
		t.Run(mode, func(t *testing.T) {
			a := synthGrid(8, 5, 3, 30, mode, 9)
			ms := a.Layers["Ms"].(*array.Dense)
			idx, _ := a.Obsp["distances"].RowView(10)
			j := int(idx[0])
			for k := range ms.Row(j) {
				ms.Row(j)[k] = ms.At(10, k) + 0.7
			}
			pos, neg := runGraph(t, a, GraphOptions{})
			for _, pair := range [][2]int{{10, j}, {j, 10}} {
				if pos.At(pair[0], pair[1]) != 0 || neg.At(pair[0], pair[1]) != 0 {
					t.Errorf("%d→%d stored although the displacement is constant", pair[0], pair[1])
				}
			}
			if idx, _ := pos.RowView(10); len(idx) == 0 {
				t.Errorf("cell 10 lost all its other transitions")
			}
		})
	}
}

func TestVelocityGraphOptions(t *testing.T) {
	a := synthGrid(8, 5, 3, 30, "deterministic", 2)
	pos, _ := runGraph(t, a, GraphOptions{NNeighbors: 5})
	for i := 0; i < pos.Rows; i++ {
		cols, _ := pos.RowView(i)
		if len(cols) > 5 {
			t.Fatalf("NNeighbors 5 (one hop) gave %d positive entries in row %d", len(cols), i)
		}
	}
	if got := a.Uns["velocity_params"].(map[string]any)["n_recurse_neighbors"]; got != int64(1) {
		t.Errorf("n_recurse_neighbors = %v, want 1 when NNeighbors is set", got)
	}
	for _, tc := range []struct {
		name string
		opts GraphOptions
		edit func(*anndata.AnnData)
	}{
		{"too many neighbours", GraphOptions{NNeighbors: 40}, nil},
		{"no velocity layer", GraphOptions{}, func(a *anndata.AnnData) { delete(a.Layers, "velocity") }},
		{"no distances", GraphOptions{}, func(a *anndata.AnnData) { delete(a.Obsp, "distances") }},
		{"no velocity genes", GraphOptions{}, func(a *anndata.AnnData) { a.Var.Set("velocity_genes", make([]bool, a.NVars())) }},
		{"duplicate cell", GraphOptions{}, func(a *anndata.AnnData) {
			d := a.Obsp["distances"]
			_, val := d.RowView(3)
			clear(val)
		}},
	} {
		b := synthGrid(8, 5, 3, 30, "deterministic", 2)
		if tc.edit != nil {
			tc.edit(b)
		}
		if err := VelocityGraph(context.Background(), b, tc.opts); err == nil {
			t.Errorf("%s: no error", tc.name)
		}
	}
}

// NaN velocity columns are dropped, so they change nothing.
func TestNaNGeneDropped(t *testing.T) {
	a := synthGrid(7, 5, 3, 20, "stochastic", 4)
	pos0, neg0 := runGraph(t, a, GraphOptions{})
	b := synthGrid(7, 5, 3, 20, "stochastic", 4)
	vb := b.Layers["velocity"].(*array.Dense)
	ms := b.Layers["Ms"].(*array.Dense)
	// Append a gene with one NaN velocity.
	grow := func(d *array.Dense, f func(i int) float32) *array.Dense {
		out := array.NewDense(d.Rows, d.Cols+1)
		for i := 0; i < d.Rows; i++ {
			copy(out.Row(i), d.Row(i))
			out.Set(i, d.Cols, f(i))
		}
		return out
	}
	b.Layers["velocity"] = grow(vb, func(i int) float32 {
		if i == 3 {
			return float32(math.NaN())
		}
		return 5
	})
	b.Layers["Ms"] = grow(ms, func(i int) float32 { return float32(i) })
	b.Var = anndata.NewFrame(append(slices.Clone(b.Var.Index), "nan-gene"))
	pos1, neg1 := runGraph(t, b, GraphOptions{})
	if !slices.Equal(pos0.Data, pos1.Data) || !slices.Equal(neg0.Data, neg1.Data) {
		t.Errorf("a gene with NaN velocity changed the graph")
	}
}

// candidateCount agrees with the size of candidateSet and leaves the
// bitset clear, on neighbour tables with repeated and self entries.
func TestCandidateCount(t *testing.T) {
	tables := []struct {
		name  string
		n, k  int
		depth int
	}{
		{"small dense", 12, 3, 2},
		{"one hop", 50, 4, 1},
		{"three hops", 200, 5, 3},
	}
	for _, tc := range tables {
		t.Run(tc.name, func(t *testing.T) {
			tab := knn{idx: make([]int32, tc.n*tc.k), k: tc.k}
			for p := range tab.idx {
				tab.idx[p] = int32((p*7919 + p/tc.k*31) % tc.n)
			}
			set := make([]uint64, (tc.n+63)/64)
			var buf, cand []int32
			for i := 0; i < tc.n; i++ {
				var got int
				got, buf = candidateCount(buf, tab, i, tc.depth, set)
				cand = candidateSet(cand, tab, i, tc.depth, set)
				if got != len(cand) {
					t.Fatalf("cell %d: count %d, set has %d", i, got, len(cand))
				}
				for w, word := range set {
					if word != 0 {
						t.Fatalf("cell %d: bitset word %d left set", i, w)
					}
				}
			}
		})
	}
}
