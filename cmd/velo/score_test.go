package main

import (
	"encoding/json"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/velo-rna/velo/format/h5ad"
	"github.com/velo-rna/velo/internal/testenv"
)

func TestScoreJSON(t *testing.T) {
	in, _ := velocityResultFiles(t)
	out, err := execute("score", in, "--edges", "Progenitor>Intermediate, Intermediate>Fate A,Intermediate>Fate B", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Edges []struct {
			From, To string
			CBDir    *float64
		}
		CBDirMean *float64 `json:"cbdir_mean"`
		Clusters  []struct {
			Cluster string
			ICCoh   *float64
		}
		ICCohMean *float64 `json:"iccoh_mean"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, out)
	}
	want := [][2]string{{"Progenitor", "Intermediate"}, {"Intermediate", "Fate A"}, {"Intermediate", "Fate B"}}
	if len(got.Edges) != len(want) {
		t.Fatalf("%d edges, want %d", len(got.Edges), len(want))
	}
	sum, n := 0.0, 0
	for k, e := range got.Edges {
		if e.From != want[k][0] || e.To != want[k][1] {
			t.Errorf("edge %d is %s>%s, want %s>%s", k, e.From, e.To, want[k][0], want[k][1])
		}
		if e.CBDir != nil {
			if math.Abs(*e.CBDir) > 1 {
				t.Errorf("CBDir %s>%s = %g outside [-1, 1]", e.From, e.To, *e.CBDir)
			}
			sum += *e.CBDir
			n++
		}
	}
	if n == 0 || got.CBDirMean == nil || math.Abs(*got.CBDirMean-sum/float64(n)) > 1e-12 {
		t.Errorf("CBDir mean %v, want the mean of the %d scored edges %g", got.CBDirMean, n, sum/float64(n))
	}
	// The simulated trajectory flows along the edges, so a working pipeline
	// scores it positive.
	if got.CBDirMean != nil && *got.CBDirMean <= 0 {
		t.Errorf("CBDir mean %g on a simulated forward trajectory, want > 0", *got.CBDirMean)
	}
	if len(got.Clusters) != 4 || got.ICCohMean == nil {
		t.Fatalf("ICCoh: %d clusters, mean %v; want 4 clusters and a mean", len(got.Clusters), got.ICCohMean)
	}
}

func TestScoreTable(t *testing.T) {
	in, _ := velocityResultFiles(t)
	out, err := execute("score", in, "--edges", "Progenitor>Intermediate")
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"kind", "CBDir", "Progenitor > Intermediate", "ICCoh", "Fate A", "mean"} {
		if !strings.Contains(out, s) {
			t.Errorf("table lacks %q:\n%s", s, out)
		}
	}
}

func TestScoreErrors(t *testing.T) {
	in, noVel := velocityResultFiles(t)
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"missing velocity_umap", []string{"score", noVel, "--edges", "Progenitor>Intermediate"}, "velocity_umap"},
		{"bad cluster key", []string{"score", in, "--cluster-key", "nope"}, `"nope"`},
		{"bad edges", []string{"score", in, "--edges", "Progenitor"}, "--edges"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := execute(tc.args...)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}

// TestScorePancreas scores scVelo's stochastic pancreas reference, with the
// neighbour graph of the preprocessed reference it was computed from, along
// the endocrine lineage.
func TestScorePancreas(t *testing.T) {
	stoch := testenv.Path(t, "reference", "pancreas", "stochastic.h5ad")
	pre := testenv.Path(t, "reference", "pancreas", "preprocessed.h5ad")
	a, err := h5ad.Read(stoch)
	if err != nil {
		t.Fatal(err)
	}
	p, err := h5ad.Read(pre)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(a.Obs.Index, p.Obs.Index) {
		t.Fatal("the stochastic and preprocessed references have different cells")
	}
	a.Obsp = p.Obsp
	in := filepath.Join(t.TempDir(), "pancreas.h5ad")
	if err := h5ad.Write(in, a); err != nil {
		t.Fatal(err)
	}
	edges := "Ductal>Ngn3 low EP,Ngn3 low EP>Ngn3 high EP,Ngn3 high EP>Pre-endocrine,Pre-endocrine>Beta"
	out, err := execute("score", in, "--edges", edges, "--json")
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Edges []struct {
			From, To string
			CBDir    *float64
		}
		CBDirMean *float64 `json:"cbdir_mean"`
		ICCohMean *float64 `json:"iccoh_mean"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	t.Logf("pancreas: %s", out)
	if len(got.Edges) != 4 || got.CBDirMean == nil || got.ICCohMean == nil {
		t.Fatalf("incomplete scores: %s", out)
	}
	// scVelo's stochastic model is known to get the endocrine lineage
	// direction right (positive CBDir) with coherent clusters.
	if *got.CBDirMean <= 0 || *got.ICCohMean <= 0.5 {
		t.Errorf("CBDir mean %g, ICCoh mean %g; want > 0 and > 0.5", *got.CBDirMean, *got.ICCohMean)
	}
}
