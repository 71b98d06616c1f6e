package graph

import (
	"context"
	"testing"

	"github.com/velo-rna/velo/array"
)

// Both graphs share one buffer: each must still be a valid CSR matrix
// with entries of its own sign only, and appending to one must not write
// into the other.
func TestGraphsShareBufferSafely(t *testing.T) {
	for _, mode := range []string{"stochastic", "deterministic"} {
		t.Run("mode="+mode, func(t *testing.T) {
			a := synthGrid(6, 5, 4, 40, mode, 3)
			if err := VelocityGraph(context.Background(), a, GraphOptions{}); err != nil {
				t.Fatal(err)
			}
			pos := a.Uns["velocity_graph"].(*array.CSR)
			neg := a.Uns["velocity_graph_neg"].(*array.CSR)
			for _, g := range []struct {
				name string
				m    *array.CSR
				sign float32
			}{{"velocity_graph", pos, 1}, {"velocity_graph_neg", neg, -1}} {
				if err := g.m.Validate(); err != nil {
					t.Fatalf("%s: %v", g.name, err)
				}
				if len(g.m.Data) == 0 {
					t.Fatalf("%s: no entries", g.name)
				}
				for _, v := range g.m.Data {
					if v*g.sign <= 0 {
						t.Fatalf("%s: entry %g of the wrong sign", g.name, v)
					}
				}
				if cap(g.m.Data) != len(g.m.Data) || cap(g.m.Indices) != len(g.m.Indices) {
					t.Errorf("%s: capacity beyond length", g.name)
				}
			}
			first := neg.Data[0]
			_ = append(pos.Data, 42)
			if neg.Data[0] != first {
				t.Error("appending to the positive graph changed the negative one")
			}
		})
	}
}
