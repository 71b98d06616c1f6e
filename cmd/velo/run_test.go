package main

import (
	"context"
	"math"
	"path/filepath"
	"testing"

	"github.com/velo-rna/velo"
	"github.com/velo-rna/velo/anndata"
	"github.com/velo-rna/velo/array"
	"github.com/velo-rna/velo/format/h5ad"
	"github.com/velo-rna/velo/simulate"
)

// "velo run" writes the dense layers into the output while it computes
// them, gene block by gene block; the file must hold exactly what the
// in-memory pipeline computes.
func TestRunOutputMatchesInMemoryPipeline(t *testing.T) {
	dir := t.TempDir()
	in, out := filepath.Join(dir, "in.h5ad"), filepath.Join(dir, "out.h5ad")
	sim, err := simulate.Simulate(simulate.Options{Cells: 350, Genes: 90, Seed: 4, TrueVelocity: simulate.Off})
	if err != nil {
		t.Fatal(err)
	}
	if err := h5ad.Write(in, sim); err != nil {
		t.Fatal(err)
	}
	if _, err := execute("run", in, "-o", out, "--seed", "6"); err != nil {
		t.Fatal(err)
	}
	got, err := h5ad.Read(out)
	if err != nil {
		t.Fatal(err)
	}
	want, err := h5ad.Read(in)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := velo.Run(context.Background(), want, velo.Options{Seed: 6}); err != nil {
		t.Fatal(err)
	}

	same := func(what string, x, y []float32) {
		t.Helper()
		if len(x) != len(y) {
			t.Fatalf("%s: %d values, want %d", what, len(x), len(y))
		}
		for k := range x {
			if math.Float32bits(x[k]) != math.Float32bits(y[k]) {
				t.Fatalf("%s differs at %d: %v, want %v", what, k, x[k], y[k])
			}
		}
	}
	same("X", array.AsDense(got.X).Data, array.AsDense(want.X).Data)
	if len(got.Layers) != len(want.Layers) {
		t.Errorf("layers %v, want %v", anndata.SortedKeys(got.Layers), anndata.SortedKeys(want.Layers))
	}
	for name, m := range want.Layers {
		g, ok := got.Layers[name]
		if !ok {
			t.Errorf("layer %s missing", name)
			continue
		}
		same("layer "+name, array.AsDense(g).Data, array.AsDense(m).Data)
	}
	for name, m := range want.Obsm {
		same("obsm "+name, got.Obsm[name].Data, m.Data)
	}
	for _, name := range []string{"velocity_graph", "velocity_graph_neg"} {
		same("uns "+name, got.Uns[name].(*array.CSR).Data, want.Uns[name].(*array.CSR).Data)
	}
	for _, f := range []struct {
		name      string
		got, want *anndata.Frame
	}{{"obs", got.Obs, want.Obs}, {"var", got.Var, want.Var}} {
		if len(f.got.Columns()) != len(f.want.Columns()) {
			t.Errorf("%s: %d columns, want %d", f.name, len(f.got.Columns()), len(f.want.Columns()))
		}
		for _, c := range f.want.Columns() {
			x, err := f.want.Float64(c.Name)
			if err != nil {
				continue // strings and categories
			}
			y, err := f.got.Float64(c.Name)
			if err != nil {
				t.Fatalf("%s %s: %v", f.name, c.Name, err)
			}
			for k := range x {
				if math.Float64bits(x[k]) != math.Float64bits(y[k]) {
					t.Fatalf("%s %s differs at %d: %v, want %v", f.name, c.Name, k, y[k], x[k])
				}
			}
		}
	}
}
