package main

import (
	"bytes"
	"context"
	"encoding/xml"
	"image"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	velo "github.com/velo-rna/velo"
	"github.com/velo-rna/velo/format/h5ad"
	"github.com/velo-rna/velo/simulate"
)

var (
	resultFileOnce sync.Once
	resultFileDir  string
	resultFileErr  error
)

// velocityResultFiles writes, once per test binary, a small simulated data
// set run through the standard pipeline (result.h5ad) and the same result
// without obsm velocity_umap (novel.h5ad), and returns their paths. Tests
// must not write over them.
func velocityResultFiles(t *testing.T) (result, noVelocity string) {
	t.Helper()
	resultFileOnce.Do(func() {
		dir, err := os.MkdirTemp("", "velo-cmd-test")
		if err != nil {
			resultFileErr = err
			return
		}
		resultFileDir = dir
		a, err := simulate.Simulate(simulate.Options{Cells: 300, Genes: 60, Seed: 1})
		if err != nil {
			resultFileErr = err
			return
		}
		if _, err := velo.Run(context.Background(), a, velo.Options{}); err != nil {
			resultFileErr = err
			return
		}
		if resultFileErr = h5ad.Write(filepath.Join(dir, "result.h5ad"), a); resultFileErr != nil {
			return
		}
		delete(a.Obsm, "velocity_umap")
		resultFileErr = h5ad.Write(filepath.Join(dir, "novel.h5ad"), a)
	})
	if resultFileErr != nil {
		t.Fatalf("building the simulated result: %v", resultFileErr)
	}
	return filepath.Join(resultFileDir, "result.h5ad"), filepath.Join(resultFileDir, "novel.h5ad")
}

// cliEnv makes the test binary act as the velo command, for tests whose
// command starts velo child processes (os.Executable is then this binary).
const cliEnv = "VELO_TEST_BINARY_IS_CLI"

func TestMain(m *testing.M) {
	if os.Getenv(cliEnv) == "1" {
		main()
		os.Exit(0)
	}
	code := m.Run()
	if resultFileDir != "" {
		os.RemoveAll(resultFileDir)
	}
	os.Exit(code)
}

// execute runs the velo command line with args and returns its stdout.
func execute(args ...string) (string, error) {
	root := newRootCmd()
	var out bytes.Buffer
	root.SetOut(&out)
	root.SetErr(io.Discard)
	root.SetArgs(append([]string{"--quiet"}, args...))
	err := root.Execute()
	return out.String(), err
}

// checkPNG fails unless path is a PNG whose pixels are not all the
// background colour.
func checkPNG(t *testing.T, path string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	im, err := png.Decode(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	checkNotBlank(t, path, im)
}

// checkNotBlank fails unless at least 2 % of the sampled pixels differ from
// the top-left one.
func checkNotBlank(t *testing.T, name string, im image.Image) {
	t.Helper()
	b := im.Bounds()
	r0, g0, b0, _ := im.At(b.Min.X, b.Min.Y).RGBA()
	differ, total := 0, 0
	for y := b.Min.Y; y < b.Max.Y; y += 3 {
		for x := b.Min.X; x < b.Max.X; x += 3 {
			r, g, bb, _ := im.At(x, y).RGBA()
			if r != r0 || g != g0 || bb != b0 {
				differ++
			}
			total++
		}
	}
	if differ < total/50 {
		t.Errorf("%s: only %d of %d sampled pixels differ from the background", name, differ, total)
	}
}

// checkSVG fails unless path is well-formed XML with an <svg> root.
func checkSVG(t *testing.T, path string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	dec := xml.NewDecoder(bytes.NewReader(data))
	root := ""
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if se, ok := tok.(xml.StartElement); ok && root == "" {
			root = se.Name.Local
		}
	}
	if root != "svg" {
		t.Errorf("%s: root element %q, want svg", path, root)
	}
}

func TestPlotCommands(t *testing.T) {
	in, _ := velocityResultFiles(t)
	a, err := h5ad.Read(in)
	if err != nil {
		t.Fatal(err)
	}
	genes := strings.Join(a.Var.Index[:3], ",")
	dir := t.TempDir()
	tests := []struct {
		name string
		args []string
		out  string
	}{
		{"stream png", []string{"plot", "stream", in, "--basis", "umap", "--color", "clusters"}, "stream.png"},
		{"stream svg default colour", []string{"plot", "stream", in}, "stream.svg"},
		{"grid png", []string{"plot", "grid", in, "--color", "clusters"}, "grid.png"},
		{"scatter categorical", []string{"plot", "scatter", in, "--color", "clusters"}, "clusters.png"},
		{"scatter confidence", []string{"plot", "scatter", in, "--color", "velocity_confidence"}, "confidence.png"},
		{"scatter pseudotime svg", []string{"plot", "scatter", in, "--color", "velocity_pseudotime"}, "pseudotime.svg"},
		{"phase", []string{"plot", "phase", in, "--genes", genes, "--color", "velocity_pseudotime"}, "phase.png"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(dir, tc.out)
			if _, err := execute(append(tc.args, "-o", out)...); err != nil {
				t.Fatal(err)
			}
			if strings.HasSuffix(out, ".svg") {
				checkSVG(t, out)
			} else {
				checkPNG(t, out)
			}
		})
	}
}

func TestPlotErrors(t *testing.T) {
	in, noVel := velocityResultFiles(t)
	a, err := h5ad.Read(in)
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "f.png")
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"missing velocity_umap", []string{"plot", "stream", noVel, "-o", out}, "run velo run first: obsm velocity_umap is missing"},
		{"unknown gene", []string{"plot", "phase", in, "--genes", a.Var.Index[0] + ",NoSuchGene", "-o", out}, "NoSuchGene"},
		{"no genes", []string{"plot", "phase", in, "-o", out}, "--genes"},
		{"output is input", []string{"plot", "scatter", in, "-o", in}, "overwrite the input"},
		{"bad extension", []string{"plot", "stream", in, "-o", filepath.Join(t.TempDir(), "f.jpg")}, ".jpg"},
		{"no output", []string{"plot", "stream", in}, "-o"},
		{"unknown colour", []string{"plot", "scatter", in, "--color", "nope", "-o", out}, `"nope"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := execute(tc.args...)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("a failed command left %s behind (stat: %v)", out, err)
	}
}
