package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/velo-rna/velo"
	"github.com/velo-rna/velo/array"
	"github.com/velo-rna/velo/format/h5ad"
	"github.com/velo-rna/velo/simulate"
)

type benchOptions struct {
	sizes     string
	genes     int
	runs      int
	mode      string
	seed      uint64
	json      bool
	input     string
	reference string
}

func newBenchCmd(g *globals) *cobra.Command {
	o := &benchOptions{}
	cmd := &cobra.Command{
		Use:   "bench [--sizes 10k,100k] [--input FILE --scvelo-timings timings.json]",
		Short: "Time the pipeline on simulated data or on a real file",
		Long: `bench simulates seeded data sets of the given sizes (about 30% of spliced
and 10% of unspliced counts non-zero, as in droplet data) and times
"velo run" on each, from reading the input file to the completed output
file. It prints the median seconds of every stage over --runs, the
throughput in cells per second, the CPU time and the peak resident memory.
Each size is simulated and saved outside the timed region, and every run
happens in a fresh velo process, so the peak memory (that process's
high-water mark) is the run's own.

With --input FILE, bench instead times "velo run FILE" in this process and,
with --scvelo-timings, compares it with scVelo's per-stage seconds; velo's
stage names are scVelo's without the mode suffix.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if o.runs < 1 {
				return fmt.Errorf("--runs %d: want at least 1", o.runs)
			}
			if o.mode != "stochastic" && o.mode != "deterministic" {
				return fmt.Errorf("--mode %q: choose stochastic or deterministic", o.mode)
			}
			if o.input != "" {
				return benchFile(cmd.Context(), cmd.OutOrStdout(), g, o)
			}
			if o.reference != "" {
				return fmt.Errorf("--scvelo-timings needs --input")
			}
			sizes, err := parseSizes(o.sizes)
			if err != nil {
				return err
			}
			return benchSimulated(cmd.Context(), cmd.OutOrStdout(), g, o, sizes)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.sizes, "sizes", "10k,100k", "comma-separated numbers of cells (suffix k = 1000, M = 1000000)")
	f.IntVar(&o.genes, "genes", 2000, "genes of the simulated data")
	f.IntVar(&o.runs, "runs", 1, "runs per size; stage times are medians")
	f.StringVar(&o.mode, "mode", "stochastic", "velocity model: stochastic or deterministic")
	f.Uint64Var(&o.seed, "seed", 0, "seed of the simulation and the pipeline")
	f.BoolVar(&o.json, "json", false, "print JSON instead of a table")
	f.StringVar(&o.input, "input", "", "time read-to-write of this input file instead of simulated data")
	f.StringVar(&o.reference, "scvelo-timings", "", "scVelo's timings.json to compare --input with")
	return cmd
}

// parseSizes reads "500,10k,1M" into ascending cell counts.
func parseSizes(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		mult := 1
		switch {
		case strings.HasSuffix(f, "k"), strings.HasSuffix(f, "K"):
			mult, f = 1000, f[:len(f)-1]
		case strings.HasSuffix(f, "M"), strings.HasSuffix(f, "m"):
			mult, f = 1_000_000, f[:len(f)-1]
		}
		n, err := strconv.Atoi(f)
		if err != nil || n < 1 {
			return nil, fmt.Errorf("--sizes %q: %q is not a positive number of cells", s, f)
		}
		out = append(out, n*mult)
	}
	// Ascending, because the peak-memory figure is a process-wide
	// high-water mark that a larger earlier size would mask.
	slices.Sort(out)
	return slices.Compact(out), nil
}

// stageTime is one stage's median seconds. A background stage (UMAP) ran
// beside the others and is not part of the totals.
type stageTime struct {
	Stage      string  `json:"stage"`
	Seconds    float64 `json:"seconds"`
	Background bool    `json:"background,omitempty"`
}

// sizeResult is the benchmark of one simulated size.
type sizeResult struct {
	Cells            int         `json:"cells"`
	Genes            int         `json:"genes"`
	Runs             int         `json:"runs"`
	SplicedNonZero   float64     `json:"spliced_nonzero_fraction"`
	UnsplicedNonZero float64     `json:"unspliced_nonzero_fraction"`
	Stages           []stageTime `json:"stages"`
	PipelineSeconds  float64     `json:"pipeline_seconds"`
	TotalSeconds     float64     `json:"total_seconds"`
	CellsPerSecond   float64     `json:"cells_per_second"`
	CPUSeconds       float64     `json:"cpu_seconds"`
	PeakRSSMiB       float64     `json:"peak_rss_mib"`
}

func benchSimulated(ctx context.Context, w io.Writer, g *globals, o *benchOptions, sizes []int) error {
	r := g.reporter()
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "velo-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	var results []sizeResult
	for _, n := range sizes {
		res := sizeResult{Cells: n, Genes: o.genes, Runs: o.runs}
		r.Logf("Simulating %d cells × %d genes.", n, o.genes)
		input := filepath.Join(dir, fmt.Sprintf("sim-%d.h5ad", n))
		if err := simulateInput(input, n, o, g.threadCount(), &res); err != nil {
			return err
		}
		r.Logf("Timing velo run on %d cells (%d run(s), each in a fresh process).", n, o.runs)
		runs, cpu, rss := make([][]stageTime, 0, o.runs), make([]float64, 0, o.runs), 0.0
		for run := 0; run < o.runs; run++ {
			fr, err := benchChild(ctx, exe, input, o, g)
			if err != nil {
				return fmt.Errorf("%d simulated cells: %w", n, err)
			}
			runs = append(runs, fr.Stages)
			cpu = append(cpu, fr.CPUSeconds)
			rss = max(rss, fr.PeakRSSMiB)
		}
		if err := os.Remove(input); err != nil {
			return err
		}
		res.Stages = medianStages(runs)
		res.PipelineSeconds = medianTotal(runs, func(s string) bool { return s != stageWrite && s != stageRead })
		res.TotalSeconds = medianTotal(runs, func(string) bool { return true })
		res.CellsPerSecond = float64(n) / res.TotalSeconds
		res.CPUSeconds = median(cpu)
		res.PeakRSSMiB = rss
		results = append(results, res)
	}
	if o.json {
		return writeJSON(w, results)
	}
	return printSizeTable(w, results)
}

// simulateInput writes n simulated cells to path and records their
// sparsity in res.
func simulateInput(path string, n int, o *benchOptions, threads int, res *sizeResult) error {
	a, err := simulate.Simulate(simulate.Options{Cells: n, Genes: o.genes, Seed: o.seed,
		TrueVelocity: simulate.Off, Threads: threads})
	if err != nil {
		return err
	}
	res.SplicedNonZero = nonZeroFraction(a.Layers["spliced"])
	res.UnsplicedNonZero = nonZeroFraction(a.Layers["unspliced"])
	// Without X, as counters write their output: velo run then makes X
	// from the spliced counts.
	a.X = nil
	return h5ad.Write(path, a)
}

// benchChild times one "velo run" of input in a fresh velo process (velo
// bench --input … --json) and returns its figures.
func benchChild(ctx context.Context, exe, input string, o *benchOptions, g *globals) (*fileResult, error) {
	cmd := exec.CommandContext(ctx, exe, "bench", "--input", input, "--runs", "1", "--json", "--quiet",
		"--mode", o.mode, "--seed", strconv.FormatUint(o.seed, 10), "--threads", strconv.Itoa(g.threads))
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("velo bench --input %s: %w", input, err)
	}
	var fr fileResult
	if err := json.Unmarshal(out, &fr); err != nil {
		return nil, fmt.Errorf("velo bench --input %s: %w", input, err)
	}
	return &fr, nil
}

// nonZeroFraction is the share of stored entries of a sparse layer.
func nonZeroFraction(m array.Matrix) float64 {
	c, ok := m.(*array.CSR)
	if !ok || c.Rows == 0 || c.Cols == 0 {
		return 0
	}
	return float64(c.NNZ()) / (float64(c.Rows) * float64(c.Cols))
}

// medianStages returns each stage's median over runs, in the order of the
// first run.
func medianStages(runs [][]stageTime) []stageTime {
	out := make([]stageTime, 0, len(runs[0]))
	for i, s := range runs[0] {
		xs := make([]float64, len(runs))
		for r := range runs {
			xs[r] = runs[r][i].Seconds
		}
		out = append(out, stageTime{s.Stage, median(xs), s.Background})
	}
	return out
}

// medianTotal is the median over runs of the summed seconds of the
// foreground stages keep selects: the median of totals, not the sum of
// medians, so it is the time of an actual run.
func medianTotal(runs [][]stageTime, keep func(string) bool) float64 {
	xs := make([]float64, len(runs))
	for r, stages := range runs {
		for _, s := range stages {
			if !s.Background && keep(s.Stage) {
				xs[r] += s.Seconds
			}
		}
	}
	return median(xs)
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// cpuSeconds is the user and system CPU time the process has used so far:
// on a shared machine it measures the work done, which wall time, inflated
// by other processes, does not.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return math.NaN()
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}

// peakRSSMiB reads the process's peak resident set size (VmHWM) from
// /proc/self/status.
func peakRSSMiB() (float64, error) {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0, fmt.Errorf("peak memory: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) == 3 && fields[0] == "VmHWM:" && fields[2] == "kB" {
			kb, err := strconv.ParseFloat(fields[1], 64)
			if err != nil {
				return 0, fmt.Errorf("peak memory: /proc/self/status VmHWM %q: %w", fields[1], err)
			}
			return kb / 1024, nil
		}
	}
	if err := sc.Err(); err != nil {
		return 0, fmt.Errorf("peak memory: /proc/self/status: %w", err)
	}
	return 0, fmt.Errorf("peak memory: no VmHWM line in /proc/self/status")
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// printSizeTable prints one column per size and one row per stage.
func printSizeTable(w io.Writer, results []sizeResult) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprint(tw, "seconds (median)\t")
	for _, res := range results {
		fmt.Fprintf(tw, "%d cells\t", res.Cells)
	}
	fmt.Fprintln(tw)
	row := func(name string, val func(sizeResult) string) {
		fmt.Fprintf(tw, "%s\t", name)
		for _, res := range results {
			fmt.Fprintf(tw, "%s\t", val(res))
		}
		fmt.Fprintln(tw)
	}
	for i, s := range results[0].Stages {
		row(s.Stage, func(res sizeResult) string { return fmt.Sprintf("%.3f", res.Stages[i].Seconds) })
	}
	row("pipeline", func(res sizeResult) string { return fmt.Sprintf("%.3f", res.PipelineSeconds) })
	row("total", func(res sizeResult) string { return fmt.Sprintf("%.3f", res.TotalSeconds) })
	row("cells/s", func(res sizeResult) string { return fmt.Sprintf("%.0f", res.CellsPerSecond) })
	row("cpu_seconds", func(res sizeResult) string { return fmt.Sprintf("%.3f", res.CPUSeconds) })
	row("peak_rss_mib", func(res sizeResult) string { return fmt.Sprintf("%.0f", res.PeakRSSMiB) })
	if err := tw.Flush(); err != nil {
		return err
	}
	g := results[0]
	_, err := fmt.Fprintf(w, "%d genes, %d run(s) per size, %.0f%% spliced / %.0f%% unspliced non-zero.\n"+
		"pipeline: the stages between read and write; total: read to write; cells/s over total;\n"+
		umapNote+
		"cpu_seconds: user+system CPU time of a run, all threads;\n"+
		"peak_rss_mib: the high-water mark (VmHWM) of the velo process of the run.\n",
		g.Genes, g.Runs, 100*g.SplicedNonZero, 100*g.UnsplicedNonZero)
	return err
}

// stageConfidenceTransition is the velocity_confidence_transition stage,
// shown within velocity_confidence next to scVelo's.
const stageConfidenceTransition = "velocity_confidence_transition"

// umapNote explains the umap rows of the tables.
const umapNote = "umap: computed beside the stages from moments to the embedding on PCA, so not part of the totals;\n" +
	"umap_wait: the time the pipeline then waited for it, which the totals include.\n"

// fileResult is the benchmark of "velo run" on one input file.
type fileResult struct {
	Input  string      `json:"input"`
	Cells  int         `json:"cells"`
	Genes  int         `json:"genes"`
	Runs   int         `json:"runs"`
	Stages []stageTime `json:"stages"`
	// TotalSeconds is the median read-to-write time.
	TotalSeconds float64 `json:"total_seconds"`
	// TotalWithoutUMAP leaves out the time spent waiting for UMAP, which
	// runs in the background, as scVelo's total_without_umap leaves out
	// its umap stage.
	TotalWithoutUMAP float64 `json:"total_without_umap"`
	// CPUSeconds is the median user+system CPU time of a run.
	CPUSeconds float64    `json:"cpu_seconds"`
	PeakRSSMiB float64    `json:"peak_rss_mib"`
	Reference  *reference `json:"scvelo,omitempty"`
}

// reference is scVelo's timings.json and the ratios of its totals to velo's.
type reference struct {
	Seconds          map[string]float64 `json:"seconds"`
	TotalWithoutUMAP float64            `json:"total_without_umap"`
	StageSum         float64            `json:"stage_sum"`
	// Speedup is scVelo's stage sum over velo's read-to-write time, and
	// SpeedupWithoutUMAP the same without UMAP on either side.
	Speedup            float64 `json:"speedup"`
	SpeedupWithoutUMAP float64 `json:"speedup_without_umap"`
}

func benchFile(ctx context.Context, w io.Writer, g *globals, o *benchOptions) error {
	var ref *reference
	if o.reference != "" {
		var err error
		if ref, err = readReference(o.reference); err != nil {
			return err
		}
	}
	dir, err := os.MkdirTemp("", "velo-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	out := filepath.Join(dir, "bench.h5ad")
	res := fileResult{Input: o.input, Runs: o.runs}
	var runs [][]stageTime
	var cpu []float64
	quiet := &globals{quiet: true, threads: g.threads}
	for run := 0; run < o.runs; run++ {
		cpu0 := cpuSeconds()
		g.reporter().Logf("Running %s (run %d of %d).", o.input, run+1, o.runs)
		timings, cells, genes, err := runFile(ctx, quiet, o.input, out, "S+A", velo.Options{Mode: o.mode, Seed: o.seed, Threads: g.threadCount()})
		if err != nil {
			return err
		}
		stages := make([]stageTime, len(timings))
		for k, t := range timings {
			stages[k] = stageTime{t.Stage, t.Seconds, t.Background}
		}
		runs = append(runs, stages)
		cpu = append(cpu, cpuSeconds()-cpu0)
		res.Cells, res.Genes = cells, genes
	}
	res.Stages = medianStages(runs)
	res.TotalSeconds = medianTotal(runs, func(string) bool { return true })
	res.TotalWithoutUMAP = medianTotal(runs, func(s string) bool { return s != "umap" && s != "umap_wait" })
	res.CPUSeconds = median(cpu)
	if res.PeakRSSMiB, err = peakRSSMiB(); err != nil {
		return err
	}
	if ref != nil {
		ref.Speedup = ref.StageSum / res.TotalSeconds
		ref.SpeedupWithoutUMAP = ref.TotalWithoutUMAP / res.TotalWithoutUMAP
		res.Reference = ref
	}
	if o.json {
		return writeJSON(w, res)
	}
	return printFileTable(w, res)
}

// readReference reads scVelo's timings.json: per-stage "seconds" and
// "total_without_umap".
func readReference(path string) (*reference, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var ref reference
	if err := json.Unmarshal(b, &ref); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(ref.Seconds) == 0 {
		return nil, fmt.Errorf("%s: no per-stage \"seconds\"", path)
	}
	for _, s := range ref.Seconds {
		ref.StageSum += s
	}
	if ref.TotalWithoutUMAP <= 0 {
		return nil, fmt.Errorf("%s: no positive \"total_without_umap\"", path)
	}
	return &ref, nil
}

// scveloStage maps one of scVelo's stage names onto velo's: scVelo's
// carry the mode ("velocity_graph_stochastic") and, for the projection,
// the basis ("velocity_embedding_umap_stochastic"); velo times both bases
// in one velocity_embedding stage.
func scveloStage(name string) string {
	name = strings.TrimSuffix(strings.TrimSuffix(name, "_stochastic"), "_deterministic")
	if strings.HasPrefix(name, "velocity_embedding_") {
		return "velocity_embedding"
	}
	return name
}

// printFileTable prints velo's stage seconds next to scVelo's.
func printFileTable(w io.Writer, res fileResult) error {
	theirs := map[string]float64{}
	if res.Reference != nil {
		for name, s := range res.Reference.Seconds {
			theirs[scveloStage(name)] += s
		}
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprint(tw, "seconds (median)\tvelo\tscVelo\tscVelo/velo\t\n")
	row := func(name string, ours float64, ref float64, has bool) {
		if !has {
			fmt.Fprintf(tw, "%s\t%.3f\t-\t-\t\n", name, ours)
			return
		}
		fmt.Fprintf(tw, "%s\t%.3f\t%.3f\t%.1f\t\n", name, ours, ref, ref/ours)
	}
	// scVelo's velocity_confidence computes the transition confidence
	// too, which velo times as a stage of its own: the row shows both.
	var transition float64
	for _, s := range res.Stages {
		if s.Stage == stageConfidenceTransition {
			transition = s.Seconds
		}
	}
	for _, s := range res.Stages {
		secs := s.Seconds
		switch s.Stage {
		case stageConfidenceTransition:
			continue
		case "velocity_confidence":
			secs += transition
		}
		ref, has := theirs[s.Stage]
		row(s.Stage, secs, ref, has)
	}
	hasRef := res.Reference != nil
	var sum, noUMAP float64
	if hasRef {
		sum, noUMAP = res.Reference.StageSum, res.Reference.TotalWithoutUMAP
	}
	row("total", res.TotalSeconds, sum, hasRef)
	row("total_without_umap", res.TotalWithoutUMAP, noUMAP, hasRef)
	fmt.Fprintf(tw, "cpu_seconds\t%.3f\t\t\t\n", res.CPUSeconds)
	fmt.Fprintf(tw, "peak_rss_mib\t%.0f\t\t\t\n", res.PeakRSSMiB)
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "%s: %d cells × %d genes after filtering, median of %d run(s), read to write.\n%s%s",
		res.Input, res.Cells, res.Genes, res.Runs, umapNote,
		"velocity_confidence: with velocity_confidence_transition, as scVelo's includes it.\n")
	return err
}
