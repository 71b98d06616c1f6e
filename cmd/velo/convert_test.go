package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/velo-rna/velo/anndata"
	"github.com/velo-rna/velo/array"
	"github.com/velo-rna/velo/format/h5ad"
	"github.com/velo-rna/velo/internal/testenv"
	"github.com/velo-rna/velo/simulate"
)

// runCLI runs the velo command line with args and returns what it wrote to
// stdout and stderr, and its error.
func runCLI(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	root := newRootCmd()
	root.SetArgs(args)
	root.SetOut(&stdout)
	root.SetErr(&stderr)
	err := root.Execute()
	return stdout.String(), stderr.String(), err
}

// velocytoBarcode turns velocyto's loom cell name "sample:BARCODEx" into
// the bare barcode the other layouts and pancreas.h5ad use.
func velocytoBarcode(s string) string {
	if i := strings.LastIndexByte(s, ':'); i >= 0 {
		s = s[i+1:]
	}
	return strings.TrimSuffix(s, "x")
}

// TestConvertPancreas converts every layout of the pancreas data and
// requires the written file to hold exactly the spliced and unspliced counts
// of pancreas.h5ad, every value of every cell (matched by barcode) and gene.
func TestConvertPancreas(t *testing.T) {
	base := testenv.Path(t, "data", "pancreas")
	ref, err := h5ad.Read(filepath.Join(base, "pancreas.h5ad"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		input string
		cell  func(string) string
	}{
		{"pancreas.loom", velocytoBarcode},
		{filepath.Join("starsolo", "Solo.out", "Velocyto", "filtered"), func(s string) string { return s }},
		{filepath.Join("kb-lamanno", "counts_filtered"), func(s string) string { return s }},
		{"alevin-fry", func(s string) string { return s }},
	}
	for _, tc := range tests {
		t.Run(tc.input, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out.h5ad")
			_, _, err := runCLI(t, "convert", "-q", filepath.Join(base, tc.input), "-o", out)
			if err != nil {
				t.Fatal(err)
			}
			got, err := h5ad.Read(out)
			if err != nil {
				t.Fatal(err)
			}
			n := compareCounts(t, ref, got, tc.cell)
			t.Logf("%s: %d cells × %d genes, %d stored values equal to pancreas.h5ad", tc.input, got.NObs(), got.NVars(), n)
		})
	}
}

// compareCounts requires got's spliced and unspliced layers to equal ref's,
// cells matched through cellName and genes by name, and returns the number
// of non-zero values compared.
func compareCounts(t *testing.T, ref, got *anndata.AnnData, cellName func(string) string) int {
	t.Helper()
	if got.NObs() != ref.NObs() || got.NVars() != ref.NVars() {
		t.Fatalf("shape %d×%d, reference %d×%d", got.NObs(), got.NVars(), ref.NObs(), ref.NVars())
	}
	rows := positions(t, "cell", got.Obs.Index, ref.Obs.Index, cellName)
	cols := positions(t, "gene", got.Var.Index, ref.Var.Index, func(s string) string { return s })
	compared := 0
	for _, k := range []string{"spliced", "unspliced"} {
		gl, err := got.Layer(k)
		if err != nil {
			t.Fatal(err)
		}
		rl, err := ref.Layer(k)
		if err != nil {
			t.Fatal(err)
		}
		g, r := array.AsCSR(gl), array.AsCSR(rl)
		want := make([]float32, ref.NVars())
		for i := 0; i < g.Rows; i++ {
			ridx, rval := r.RowView(rows[i])
			nzWant := 0
			for p, j := range ridx {
				want[j] = rval[p]
				if rval[p] != 0 {
					nzWant++
				}
			}
			gidx, gval := g.RowView(i)
			nzGot := 0
			for p, j := range gidx {
				if gval[p] != want[cols[j]] {
					t.Fatalf("%s[%s, %s] = %v, reference %v", k, got.Obs.Index[i], got.Var.Index[j], gval[p], want[cols[j]])
				}
				if gval[p] != 0 {
					nzGot++
				}
			}
			if nzGot != nzWant {
				t.Fatalf("%s: cell %s has %d non-zero counts, reference %d", k, got.Obs.Index[i], nzGot, nzWant)
			}
			compared += nzGot
			for _, j := range ridx {
				want[j] = 0
			}
		}
	}
	return compared
}

// positions maps each name of got to its position in ref.
func positions(t *testing.T, what string, got, ref []string, name func(string) string) []int {
	t.Helper()
	at := make(map[string]int, len(ref))
	for i, n := range ref {
		at[n] = i
	}
	pos := make([]int, len(got))
	for i, n := range got {
		p, ok := at[name(n)]
		if !ok {
			t.Fatalf("%s %q is not in the reference", what, n)
		}
		pos[i] = p
	}
	return pos
}

// anndataScript opens an h5ad file with Python's anndata the way scVelo
// users do and prints what they would look at, as JSON. Floats are printed
// with repr so that NaN survives and values compare exactly.
const anndataScript = `
import json, sys
import anndata, scipy.sparse
a = anndata.read_h5ad(sys.argv[1])
g = a.uns['velocity_graph']
print(json.dumps({
    'shape': list(a.shape),
    'layers': sorted(a.layers.keys()),
    'gamma': [repr(float(v)) for v in a.var['velocity_gamma']],
    'obsm': {k: list(v.shape) for k, v in a.obsm.items()},
    'graph_sparse': scipy.sparse.issparse(g),
    'graph_shape': list(g.shape),
    'mode': str(a.uns['velocity_params']['mode']),
}))
`

// anndataView is what anndataScript prints.
type anndataView struct {
	Shape       []int            `json:"shape"`
	Layers      []string         `json:"layers"`
	Gamma       []string         `json:"gamma"`
	Obsm        map[string][]int `json:"obsm"`
	GraphSparse bool             `json:"graph_sparse"`
	GraphShape  []int            `json:"graph_shape"`
	Mode        string           `json:"mode"`
}

// TestAnndataOpensRunOutput requires Python's anndata to read the output
// of velo run with scVelo's keys and velo's own values. It skips when
// /usr/bin/python3 or anndata is missing, unless VELO_REQUIRE_ANNDATA=1.
func TestAnndataOpensRunOutput(t *testing.T) {
	if err := exec.Command(python, "-c", "import anndata, scipy.sparse").Run(); err != nil {
		msg := fmt.Sprintf("%s with anndata and scipy is needed: %v", python, err)
		if os.Getenv("VELO_REQUIRE_ANNDATA") == "1" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	dir := t.TempDir()
	input := writeFile(t, dir, "sim.h5ad", simulated(t))
	out := filepath.Join(dir, "velocity.h5ad")
	if _, _, err := runCLI(t, "run", "-q", input, "-o", out); err != nil {
		t.Fatal(err)
	}
	ours, err := h5ad.Read(out)
	if err != nil {
		t.Fatal(err)
	}
	b, err := exec.Command(python, "-c", anndataScript, out).Output()
	if err != nil {
		t.Fatalf("anndata cannot read %s: %v", out, err)
	}
	var view anndataView
	if err := json.Unmarshal(b, &view); err != nil {
		t.Fatalf("%v in %s", err, b)
	}
	n, g := ours.NObs(), ours.NVars()
	if !slices.Equal(view.Shape, []int{n, g}) {
		t.Errorf("anndata shape %v, velo %d×%d", view.Shape, n, g)
	}
	for _, k := range []string{"Ms", "Mu", "velocity", "variance_velocity", "spliced", "unspliced"} {
		if !slices.Contains(view.Layers, k) {
			t.Errorf("anndata sees no layer %s among %v", k, view.Layers)
		}
	}
	gamma, err := ours.Var.Float64("velocity_gamma")
	if err != nil {
		t.Fatal(err)
	}
	if len(view.Gamma) != len(gamma) {
		t.Fatalf("anndata has %d velocity_gamma values, velo %d", len(view.Gamma), len(gamma))
	}
	finite := 0
	for j, s := range view.Gamma {
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			t.Fatal(err)
		}
		same := v == gamma[j] || (math.IsNaN(v) && math.IsNaN(gamma[j]))
		if !same {
			t.Errorf("velocity_gamma[%s]: anndata %v, velo %v", ours.Var.Index[j], v, gamma[j])
		}
		if !math.IsNaN(v) {
			finite++
		}
	}
	for _, k := range []string{"X_umap", "velocity_umap"} {
		if !slices.Equal(view.Obsm[k], []int{n, 2}) {
			t.Errorf("obsm %s: anndata shape %v, want [%d 2]", k, view.Obsm[k], n)
		}
	}
	if !view.GraphSparse || !slices.Equal(view.GraphShape, []int{n, n}) {
		t.Errorf("uns velocity_graph: sparse %v, shape %v; want a sparse %d×%d matrix", view.GraphSparse, view.GraphShape, n, n)
	}
	if view.Mode != "stochastic" {
		t.Errorf("uns velocity_params mode %q, want stochastic", view.Mode)
	}
	t.Logf("anndata reads %d×%d, layers %v, %d of %d velocity_gamma values finite and equal to velo's, obsm %v, graph %v",
		n, g, view.Layers, finite, len(gamma), view.Obsm, view.GraphShape)
}

// barcode returns a 16-base cell barcode unique to i, as counters name cells.
func barcode(i int) string {
	b := make([]byte, 16)
	for k := range b {
		b[len(b)-1-k] = "ACGT"[i%4]
		i /= 4
	}
	return string(b)
}

// barcodedSample simulates cells named by barcode, as a counter writes them.
func barcodedSample(t *testing.T, cells int, seed uint64) *anndata.AnnData {
	t.Helper()
	a, err := simulate.Simulate(simulate.Options{Cells: cells, Genes: 20, Seed: seed})
	if err != nil {
		t.Fatal(err)
	}
	for i := range a.Obs.Index {
		a.Obs.Index[i] = barcode(i)
	}
	return a
}

// TestMergeCommand merges two samples, named one by NAME=PATH and one by
// its file name, into an annotation whose cells are named "s1_BARCODE" and
// "s2_BARCODE", and checks the report and the counts each cell receives.
func TestMergeCommand(t *testing.T) {
	dir := t.TempDir()
	s1, s2 := barcodedSample(t, 30, 1), barcodedSample(t, 20, 2)
	p1 := writeFile(t, dir, "first.h5ad", s1)
	p2 := writeFile(t, dir, "s2.h5ad", s2)
	// The annotation lists 25 cells of s1 and all of s2, s2 first.
	var names []string
	for i := range 20 {
		names = append(names, "s2_"+barcode(i))
	}
	for i := range 25 {
		names = append(names, "s1_"+barcode(i))
	}
	ann := anndata.New(names, []string{"Gene001"})
	clusters := make([]string, len(names))
	for i, n := range names {
		clusters[i] = n[:2]
	}
	ann.Obs.Set("clusters", clusters)
	pa := writeFile(t, dir, "annotation.h5ad", ann)

	tests := []struct {
		keep       bool
		cells      int
		reportLine string
	}{
		{false, 45, "s1: 30 cells, 20 genes, 25 matched, 5 unmatched"},
		{true, 50, "s1: 30 cells, 20 genes, 25 matched, 5 unmatched"},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("keep-unmatched=%v", tc.keep), func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "merged.h5ad")
			args := []string{"merge", "s1=" + p1, p2, "--annotation", pa, "-o", out}
			if tc.keep {
				args = append(args, "--keep-unmatched")
			}
			_, stderr, err := runCLI(t, args...)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(stderr, tc.reportLine) || !strings.Contains(stderr, "s2: 20 cells, 20 genes, 20 matched, 0 unmatched") {
				t.Errorf("report:\n%s", stderr)
			}
			got, err := h5ad.Read(out)
			if err != nil {
				t.Fatal(err)
			}
			if got.NObs() != tc.cells {
				t.Fatalf("%d cells, want %d", got.NObs(), tc.cells)
			}
			// Every matched cell carries its own sample's counts.
			src := map[string]*anndata.AnnData{"s1": s1, "s2": s2}
			gs := array.AsDense(got.Layers["spliced"])
			matched := 0
			for i, n := range got.Obs.Index {
				sample, bc, ok := strings.Cut(n, "_")
				if !ok {
					continue
				}
				k := slices.Index(src[sample].Obs.Index, bc)
				want := array.AsDense(src[sample].Layers["spliced"])
				if k < 0 || !slices.Equal(gs.Data[i*gs.Cols:(i+1)*gs.Cols], want.Data[k*want.Cols:(k+1)*want.Cols]) {
					t.Fatalf("cell %s does not hold the counts of %s in %s", n, bc, sample)
				}
				matched++
			}
			if matched != 45 {
				t.Errorf("%d annotated cells, want 45", matched)
			}
		})
	}
}
