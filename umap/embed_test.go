package umap

import (
	"context"
	"errors"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/velo-rna/velo/array"
)

func TestEmbedDeterministic(t *testing.T) {
	// 9000 vertices span three row chunks of the eigensolver and many SGD
	// chunks, so 1 and 4 threads really split the work differently.
	pts := trajectory(9000, 3)
	traj := graphOf(pts, 15)
	bl, _ := blobs(1200, 4, 20, 4)
	split := graphOf(bl, 15)
	for _, c := range []struct {
		name  string
		graph *array.CSR
	}{{"connected", traj}, {"four components", split}} {
		t.Run(c.name, func(t *testing.T) {
			run := func(seed uint64, threads int) []float32 {
				out, err := Embed(context.Background(), c.graph, Options{NEpochs: 30, Seed: seed, Threads: threads})
				if err != nil {
					t.Fatal(err)
				}
				return out.Data
			}
			one := run(7, 1)
			if four := run(7, 4); !slices.Equal(one, four) {
				t.Error("1 and 4 threads give different layouts")
			}
			// Threads changing between epochs, as a pipeline frees cores.
			epoch := 0
			varying, err := Embed(context.Background(), c.graph, Options{NEpochs: 30, Seed: 7, Threads: 1,
				ThreadsNow: func() int { epoch++; return 1 + epoch%3 }})
			if err != nil {
				t.Fatal(err)
			}
			if epoch != 30 || !slices.Equal(one, varying.Data) {
				t.Errorf("threads varying over %d epochs give a different layout", epoch)
			}
			if again := run(7, 1); !slices.Equal(one, again) {
				t.Error("the same seed gives different layouts")
			}
			if other := run(8, 1); slices.Equal(one, other) {
				t.Error("seeds 7 and 8 give the same layout")
			}
		})
	}
}

func TestEmbedSeparatesClusters(t *testing.T) {
	cases := []struct {
		name       string
		clusters   int
		spacing    float64 // centre distance in units of the cluster sd
		components int
	}{
		// 20 sd apart the kNN graph falls into one component per cluster,
		// exercising the packed per-component layout.
		{"disconnected", 6, 20, 6},
		// 5 sd apart a few kNN edges join clusters: one spectral layout.
		{"touching", 5, 5, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			pts, label := blobs(300*c.clusters, c.clusters, c.spacing, 11)
			g := graphOf(pts, 15)
			pruned, err := newGraph(g, defaultEpochs(g.Rows))
			if err != nil {
				t.Fatal(err)
			}
			if got := len(pruned.components()); got != c.components {
				t.Fatalf("test graph has %d components, want %d", got, c.components)
			}
			out, err := Embed(context.Background(), g, Options{})
			if err != nil {
				t.Fatal(err)
			}
			acc := nearestCentroidAccuracy(out.Data, label)
			t.Logf("nearest-centroid accuracy %.4f", acc)
			if acc < 0.95 {
				t.Errorf("nearest-centroid accuracy %.4f, want ≥ 0.95", acc)
			}
		})
	}
}

func TestEmbedKeepsLocalNeighbours(t *testing.T) {
	// On a trajectory the layout's nearest neighbours should mostly be
	// neighbours in the original space: compare 15-NN sets.
	pts := trajectory(2000, 5)
	idx, dist := knn(pts, 16)
	out, err := Embed(context.Background(), fuzzyGraph(idx, dist), Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := make([][]int32, len(idx))
	for i := range idx {
		want[i] = idx[i][1:] // drop self
	}
	p := neighbourhoodPreservation(want, nearest2D(out.Data, 15))
	t.Logf("15-NN preservation %.4f (random layout: %.4f)", p, 15.0/1999)
	if p < 0.4 {
		t.Errorf("15-NN preservation %.4f, want ≥ 0.4", p)
	}
}

func TestEmbedErrors(t *testing.T) {
	sym := &array.CSR{Rows: 3, Cols: 3, Indptr: []int64{0, 1, 2, 2},
		Indices: []int32{1, 0}, Data: []float32{0.5, 0.5}}
	withData := func(d ...float32) *array.CSR {
		m := sym.Clone()
		m.Data = d
		return m
	}
	cases := []struct {
		name  string
		graph *array.CSR
		opts  Options
		want  string // in the error message
	}{
		{"not square", &array.CSR{Rows: 2, Cols: 3, Indptr: []int64{0, 0, 0}}, Options{}, "square"},
		{"bad structure", &array.CSR{Rows: 2, Cols: 2, Indptr: []int64{0, 1, 1}, Indices: []int32{5}, Data: []float32{1}}, Options{}, "column index"},
		{"negative weight", withData(-0.5, -0.5), Options{}, "non-negative"},
		{"NaN weight", withData(float32(math.NaN()), float32(math.NaN())), Options{}, "non-negative"},
		{"infinite weight", withData(float32(math.Inf(1)), float32(math.Inf(1))), Options{}, "finite"},
		{"asymmetric", withData(0.5, 0.25), Options{}, "not symmetric"},
		{"negative epochs", sym, Options{NEpochs: -1}, "NEpochs"},
		{"negative min dist", sym, Options{MinDist: -0.1}, "MinDist"},
		{"NaN spread", sym, Options{Spread: math.NaN()}, "Spread"},
		{"negative sample rate", sym, Options{NegativeSampleRate: -5}, "NegativeSampleRate"},
		{"negative threads", sym, Options{Threads: -1}, "Threads"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, err := Embed(context.Background(), c.graph, c.opts)
			if err == nil {
				t.Fatalf("Embed returned %v and no error", out)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q does not mention %q", err, c.want)
			}
		})
	}
}

func TestEmbedSmallGraphs(t *testing.T) {
	cases := []struct {
		name  string
		graph *array.CSR
	}{
		{"empty", array.NewCSR(0, 0)},
		{"one vertex", array.NewCSR(1, 1)},
		{"no edges", array.NewCSR(5, 5)},
		{"one edge", &array.CSR{Rows: 2, Cols: 2, Indptr: []int64{0, 1, 2}, Indices: []int32{1, 0}, Data: []float32{1, 1}}},
		{"explicit zeros", &array.CSR{Rows: 3, Cols: 3, Indptr: []int64{0, 2, 3, 4},
			Indices: []int32{1, 2, 0, 0}, Data: []float32{1, 0, 1, 0}}},
		{"unsorted columns", &array.CSR{Rows: 3, Cols: 3, Indptr: []int64{0, 2, 4, 6},
			Indices: []int32{2, 1, 2, 0, 1, 0}, Data: []float32{0.5, 1, 0.25, 1, 0.25, 0.5}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, err := Embed(context.Background(), c.graph, Options{NEpochs: 50})
			if err != nil {
				t.Fatal(err)
			}
			if out.Rows != c.graph.Rows || out.Cols != 2 {
				t.Fatalf("output is %d×%d, want %d×2", out.Rows, out.Cols, c.graph.Rows)
			}
			for _, v := range out.Data {
				if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
					t.Fatalf("non-finite coordinate in %v", out.Data)
				}
			}
		})
	}
}

func TestEmbedProgressAndCancel(t *testing.T) {
	pts := trajectory(300, 2)
	g := graphOf(pts, 10)
	var calls [][2]int
	_, err := Embed(context.Background(), g, Options{NEpochs: 7, Progress: func(done, total int) {
		calls = append(calls, [2]int{done, total})
	}})
	if err != nil {
		t.Fatal(err)
	}
	want := [][2]int{{1, 7}, {2, 7}, {3, 7}, {4, 7}, {5, 7}, {6, 7}, {7, 7}}
	if !slices.Equal(calls, want) {
		t.Errorf("progress calls %v, want %v", calls, want)
	}

	ctx, cancel := context.WithCancel(context.Background())
	_, err = Embed(ctx, g, Options{Progress: func(done, _ int) {
		if done == 3 {
			cancel()
		}
	}})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled Embed returned %v, want context.Canceled", err)
	}
}
