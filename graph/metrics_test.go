package graph

import (
	"math"
	"slices"
	"testing"

	"github.com/velo-rna/velo/array"
)

func TestParseEdges(t *testing.T) {
	got, err := ParseEdges("Ductal>Ngn3 low EP, Ngn3 low EP > Ngn3 high EP")
	if err != nil {
		t.Fatal(err)
	}
	want := [][2]string{{"Ductal", "Ngn3 low EP"}, {"Ngn3 low EP", "Ngn3 high EP"}}
	if !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
	for _, bad := range []string{"", "A", "A>B>C", "A>B,", ">B", "A> "} {
		if _, err := ParseEdges(bad); err == nil {
			t.Errorf("ParseEdges(%q) gave no error", bad)
		}
	}
}

// On the lattice (clusters A, B, C by thirds of x) with projected arrows
// along +x, crossing A→B agrees with the arrows and B→A opposes them.
func TestCBDirDirections(t *testing.T) {
	a := synthGrid(12, 4, 2, 10, "stochastic", 1)
	v := array.NewDense(a.NObs(), 2)
	for i := 0; i < a.NObs(); i++ {
		v.Set(i, 0, 1)
	}
	a.Obsm["velocity_umap"] = v
	per, mean, err := CBDir(a, "umap", "clusters", [][2]string{{"A", "B"}, {"B", "A"}, {"A", "C"}}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if !(per[0] > 0.5) || !(per[1] < -0.5) {
		t.Errorf("A→B %g (want > 0.5), B→A %g (want < −0.5)", per[0], per[1])
	}
	if !math.IsNaN(per[2]) {
		t.Errorf("A→C (never neighbours on the lattice) = %g, want NaN", per[2])
	}
	if math.Abs(mean-(per[0]+per[1])/2) > 1e-12 {
		t.Errorf("mean %g is not the mean of the defined edges", mean)
	}
	if _, _, err := CBDir(a, "umap", "clusters", [][2]string{{"A", "Z"}}, 0); err == nil {
		t.Error("unknown cluster accepted")
	}
	if _, _, err := CBDir(a, "tsne", "clusters", [][2]string{{"A", "B"}}, 0); err == nil {
		t.Error("missing basis accepted")
	}
}

func TestICCoh(t *testing.T) {
	a := synthGrid(12, 4, 2, 10, "stochastic", 1)
	vel := a.Layers["velocity"].(*array.Dense)
	for i := 0; i < vel.Rows; i++ {
		for k := range vel.Row(i) {
			vel.Row(i)[k] = float32(k + 1)
			if i%12 >= 8 { // cluster C points the other way half the time
				vel.Row(i)[k] *= float32(1 - 2*(i%2))
			}
		}
	}
	per, mean, err := ICCoh(a, "clusters", 0)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(per["A"]-1) > 1e-9 || math.Abs(per["B"]-1) > 1e-9 {
		t.Errorf("identical velocities give coherence A %g, B %g, want 1", per["A"], per["B"])
	}
	if !(per["C"] < 0.5) {
		t.Errorf("alternating velocities give coherence %g, want < 0.5", per["C"])
	}
	if math.Abs(mean-(per["A"]+per["B"]+per["C"])/3) > 1e-12 {
		t.Errorf("mean %g is not the mean over clusters", mean)
	}
}
