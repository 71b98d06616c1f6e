package knn

import (
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"testing"

	"github.com/velo-rna/velo/array"
)

// bruteForce is the definition Exact must meet: all pairs, float64 squared
// distances, the point itself first, then by distance and index.
func bruteForce(data *array.Dense, k int) ([]int32, []float64) {
	n := data.Rows
	idx := make([]int32, 0, n*k)
	d2s := make([]float64, 0, n*k)
	for i := 0; i < n; i++ {
		type pair struct {
			d2 float64
			j  int
		}
		all := make([]pair, n)
		for j := 0; j < n; j++ {
			var s float64
			for c := 0; c < data.Cols; c++ {
				diff := float64(data.At(i, c)) - float64(data.At(j, c))
				s += diff * diff
			}
			all[j] = pair{s, j}
		}
		sort.Slice(all, func(a, b int) bool {
			if (all[a].j == i) != (all[b].j == i) {
				return all[a].j == i
			}
			if all[a].d2 != all[b].d2 {
				return all[a].d2 < all[b].d2
			}
			return all[a].j < all[b].j
		})
		for _, p := range all[:k] {
			idx = append(idx, int32(p.j))
			d2s = append(d2s, p.d2)
		}
	}
	return idx, d2s
}

func randomData(seed uint64, n, d int, scale func(c int) float64) *array.Dense {
	r := rand.New(rand.NewPCG(seed, 7))
	m := array.NewDense(n, d)
	for i := range m.Data {
		m.Data[i] = float32(r.NormFloat64() * scale(i%d))
	}
	return m
}

func TestExactMatchesBruteForce(t *testing.T) {
	decaying := func(c int) float64 { return 10 / float64(c+1) }
	flat := func(int) float64 { return 1 }
	cases := []struct {
		name  string
		data  *array.Dense
		k     int
		setup func(m *array.Dense)
	}{
		{name: "pca-like", data: randomData(1, 500, 30, decaying), k: 30},
		{name: "isotropic", data: randomData(2, 400, 7, flat), k: 10},
		{name: "one dimension", data: randomData(3, 200, 1, flat), k: 5},
		{name: "k equals n", data: randomData(4, 20, 3, flat), k: 20},
		{name: "k one", data: randomData(5, 50, 4, flat), k: 1},
		{name: "duplicates and ties", data: randomData(6, 120, 5, flat), k: 8, setup: func(m *array.Dense) {
			// Rows 10..19 copy row 3; rows 30..39 lie on a grid so many
			// distances tie exactly.
			for i := 10; i < 20; i++ {
				copy(m.Row(i), m.Row(3))
			}
			for i := 30; i < 40; i++ {
				for c := range m.Row(i) {
					m.Set(i, c, float32((i+c)%3))
				}
			}
		}},
		{name: "integer grid", data: array.NewDense(64, 2), k: 9, setup: func(m *array.Dense) {
			for i := 0; i < 64; i++ {
				m.Set(i, 0, float32(i%8))
				m.Set(i, 1, float32(i/8))
			}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.setup != nil {
				tc.setup(tc.data)
			}
			got, err := Exact(context.Background(), tc.data, tc.k, 3)
			if err != nil {
				t.Fatal(err)
			}
			wantIdx, wantD2 := bruteForce(tc.data, tc.k)
			if !slices.Equal(got.Indices, wantIdx) {
				for i := 0; i < got.N; i++ {
					gi, _ := got.Row(i)
					if !slices.Equal(gi, wantIdx[i*tc.k:(i+1)*tc.k]) {
						t.Fatalf("point %d: neighbours %v, want %v", i, gi, wantIdx[i*tc.k:(i+1)*tc.k])
					}
				}
			}
			for p, d2 := range wantD2 {
				want := float32(math.Sqrt(float64(float32(d2))))
				if got.Distances[p] != want {
					t.Fatalf("distance %d = %v, want %v", p, got.Distances[p], want)
				}
			}
			for i := 0; i < got.N; i++ {
				if got.Indices[i*tc.k] != int32(i) {
					t.Fatalf("point %d is not its own first neighbour", i)
				}
			}
		})
	}
}

func TestExactThreadsIdentical(t *testing.T) {
	data := randomData(9, 3000, 20, func(c int) float64 { return 5 / math.Sqrt(float64(c+1)) })
	one, err := Exact(context.Background(), data, 15, 1)
	if err != nil {
		t.Fatal(err)
	}
	four, err := Exact(context.Background(), data, 15, 4)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(one.Indices, four.Indices) || !slices.Equal(one.Distances, four.Distances) {
		t.Fatal("1 and 4 threads give different neighbours")
	}
}

func TestExactErrors(t *testing.T) {
	nan := array.NewDense(3, 2)
	nan.Set(1, 1, float32(math.NaN()))
	cases := []struct {
		name string
		data *array.Dense
		k    int
	}{
		{"no points", array.NewDense(0, 3), 1},
		{"no coordinates", array.NewDense(4, 0), 1},
		{"k zero", array.NewDense(4, 2), 0},
		{"k above n", array.NewDense(4, 2), 5},
		{"NaN", nan, 2},
	}
	for _, tc := range cases {
		if _, err := Exact(context.Background(), tc.data, tc.k, 1); err == nil {
			t.Errorf("%s: no error", tc.name)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Exact(ctx, randomData(1, 100, 3, func(int) float64 { return 1 }), 5, 1); err == nil {
		t.Error("cancelled context: no error")
	}
}
