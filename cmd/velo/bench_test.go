package main

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/velo-rna/velo/format/h5ad"
	"github.com/velo-rna/velo/simulate"
)

// runBench runs "velo -q bench ARGS" and returns its standard output.
func runBench(t *testing.T, args ...string) string {
	t.Helper()
	var out bytes.Buffer
	cmd := newRootCmd()
	cmd.SetOut(&out)
	cmd.SetArgs(append([]string{"-q", "bench"}, args...))
	if err := cmd.Execute(); err != nil {
		t.Fatalf("velo bench %v: %v", args, err)
	}
	return out.String()
}

// parseTable reads the rows of a bench table whose name is followed by
// numbers, keyed by name.
func parseTable(t *testing.T, text string) (header []string, rows map[string][]float64) {
	t.Helper()
	rows = map[string][]float64{}
	for i, line := range strings.Split(text, "\n") {
		f := strings.Fields(line)
		if i == 0 {
			header = f
			continue
		}
		if len(f) < 2 {
			continue
		}
		var vals []float64
		for _, s := range f[1:] {
			v, err := strconv.ParseFloat(s, 64)
			if err != nil {
				vals = nil
				break
			}
			vals = append(vals, v)
		}
		if vals != nil {
			rows[f[0]] = vals
		}
	}
	return header, rows
}

func TestBenchSimulatedTable(t *testing.T) {
	t.Setenv(cliEnv, "1") // the timed runs are child processes of this binary
	out := runBench(t, "--sizes", "500", "--genes", "100")
	header, rows := parseTable(t, out)
	if strings.Join(header, " ") != "seconds (median) 500 cells" {
		t.Fatalf("header %q, want one column for 500 cells\n%s", header, out)
	}
	// umap runs in the background: it is reported but not summed; the
	// wait for it is.
	if v := rows["umap"]; len(v) != 1 || v[0] <= 0 {
		t.Fatalf("umap: %v, want one positive time\n%s", v, out)
	}
	stages := []string{"filter_and_normalize", "pca", "neighbors", "moments", "velocity", "velocity_graph",
		"umap_wait", "velocity_embedding", "velocity_confidence_transition", "velocity_confidence", "velocity_pseudotime",
		"store_layers", "graph_layers", "velocity_layer", stageWrite, stageRead}
	var sum float64
	for _, s := range stages {
		v, ok := rows[s]
		if !ok || len(v) != 1 || v[0] < 0 {
			t.Fatalf("stage %s: %v, want one non-negative time\n%s", s, v, out)
		}
		sum += v[0]
	}
	// Totals are sums of rounded stage times: allow the rounding of each.
	if tot := rows["total"]; len(tot) != 1 || tot[0] <= 0 || tot[0] < sum-0.001*float64(len(stages)) || tot[0] > sum+0.001*float64(len(stages)) {
		t.Errorf("total %v, want the sum of the stages %.3f", tot, sum)
	}
	tot := rows["total"]
	if cps := rows["cells/s"]; len(cps) != 1 || cps[0] < 0.9*500/tot[0] || cps[0] > 1.1*500/tot[0] {
		t.Errorf("cells/s %v, want 500 / total %v", cps, tot)
	}
	if pipe := rows["pipeline"]; len(pipe) != 1 || pipe[0] > tot[0] || pipe[0] < tot[0]-rows[stageRead][0]-rows[stageWrite][0]-0.01 {
		t.Errorf("pipeline %v, want total %v less read and write", pipe, tot)
	}
	if cpu := rows["cpu_seconds"]; len(cpu) != 1 || cpu[0] <= 0 {
		t.Errorf("cpu_seconds %v, want a positive figure", cpu)
	}
	if rss := rows["peak_rss_mib"]; len(rss) != 1 || rss[0] < 1 {
		t.Errorf("peak_rss_mib %v, want a positive figure", rss)
	}
}

func TestBenchSimulatedJSON(t *testing.T) {
	t.Setenv(cliEnv, "1")
	out := runBench(t, "--sizes", "300,200", "--genes", "80", "--json")
	var res []sizeResult
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if len(res) != 2 || res[0].Cells != 200 || res[1].Cells != 300 {
		t.Fatalf("sizes %+v, want 200 then 300 cells", res)
	}
	for _, r := range res {
		if r.SplicedNonZero < 0.2 || r.SplicedNonZero > 0.4 || r.UnsplicedNonZero < 0.05 || r.UnsplicedNonZero > 0.15 {
			t.Errorf("%d cells: non-zero fractions %.3f / %.3f, want about 0.3 / 0.1", r.Cells, r.SplicedNonZero, r.UnsplicedNonZero)
		}
	}
	for _, r := range res {
		for _, st := range r.Stages {
			if st.Background != (st.Stage == "umap") {
				t.Errorf("%d cells: stage %s has background %v; only umap runs in the background", r.Cells, st.Stage, st.Background)
			}
		}
		if r.PeakRSSMiB < 1 || r.CPUSeconds <= 0 || len(r.Stages) == 0 {
			t.Errorf("%d cells: peak RSS %.0f MiB, CPU %.3f s, %d stages: want positive figures", r.Cells, r.PeakRSSMiB, r.CPUSeconds, len(r.Stages))
		}
	}
}

func TestBenchFileAgainstReference(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.h5ad")
	a, err := simulate.Simulate(simulate.Options{Cells: 400, Genes: 100, Seed: 3, TrueVelocity: simulate.Off})
	if err != nil {
		t.Fatal(err)
	}
	if err := h5ad.Write(in, a); err != nil {
		t.Fatal(err)
	}
	ref := filepath.Join(dir, "timings.json")
	const timings = `{"seconds": {"read": 1, "pca": 2, "velocity_graph_stochastic": 3,
	  "velocity_embedding_pca_stochastic": 4, "velocity_embedding_umap_stochastic": 5, "umap": 6},
	  "total_without_umap": 15}`
	if err := os.WriteFile(ref, []byte(timings), 0o644); err != nil {
		t.Fatal(err)
	}
	out := runBench(t, "--input", in, "--runs", "3", "--scvelo-timings", ref)
	_, rows := parseTable(t, out)
	for _, c := range []struct {
		stage  string
		scvelo float64
	}{
		{"read", 1}, {"pca", 2}, {"velocity_graph", 3}, {"velocity_embedding", 9}, {"umap", 6},
		{"total", 21}, {"total_without_umap", 15},
	} {
		v := rows[c.stage]
		if len(v) != 3 || v[1] != c.scvelo {
			t.Errorf("%s: %v, want velo's time, scVelo's %g and their ratio\n%s", c.stage, v, c.scvelo, out)
			continue
		}
		// velo's time is printed to the millisecond, so the ratio (computed
		// from the unrounded time) can only be bounded by the rounding interval.
		lo, hi := v[0]+0.0005, math.Max(v[0]-0.0005, 1e-9)
		if v[0] > 0 && (v[2] < 0.9*c.scvelo/lo || v[2] > 1.1*c.scvelo/hi+0.1) {
			t.Errorf("%s: ratio %g, want %g / %g", c.stage, v[2], c.scvelo, v[0])
		}
	}
	if !strings.Contains(out, "median of 3 run(s)") {
		t.Errorf("output does not give the number of runs:\n%s", out)
	}
}

func TestParseSizes(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []int
		ok   bool
	}{
		{"10k,100k", []int{10000, 100000}, true},
		{"1M, 500", []int{500, 1000000}, true},
		{"2k,2000", []int{2000}, true},
		{"0", nil, false},
		{"ten", nil, false},
		{"", nil, false},
	} {
		got, err := parseSizes(c.in)
		if (err == nil) != c.ok || !slices.Equal(got, c.want) {
			t.Errorf("parseSizes(%q) = %v, %v; want %v (ok %v)", c.in, got, err, c.want, c.ok)
		}
	}
}
