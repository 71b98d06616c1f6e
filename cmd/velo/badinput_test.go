package main

import (
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/velo-rna/velo/anndata"
	"github.com/velo-rna/velo/array"
	"github.com/velo-rna/velo/format/h5ad"
	"github.com/velo-rna/velo/simulate"
)

// python is the interpreter used to write files velo itself refuses to
// write; rows that need it skip when it or h5py is missing.
const python = "/usr/bin/python3"

// simulated returns a small valid data set with spliced and unspliced counts.
func simulated(t *testing.T) *anndata.AnnData {
	t.Helper()
	a, err := simulate.Simulate(simulate.Options{Cells: 200, Genes: 50, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// writeFile writes a to dir/name with h5ad.Write and returns its path.
func writeFile(t *testing.T, dir, name string, a *anndata.AnnData) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := h5ad.Write(p, a); err != nil {
		t.Fatal(err)
	}
	return p
}

// setCount sets spliced[0, 0] of a to v.
func setCount(a *anndata.AnnData, v float32) *anndata.AnnData {
	s := array.AsDense(a.Layers["spliced"])
	s.Data[0] = v
	a.Layers["spliced"] = s
	return a
}

// h5pyEdit writes a valid file and then changes it with an h5py script
// (given the file as sys.argv[1]) into one h5ad.Write refuses to produce.
func h5pyEdit(t *testing.T, dir string, script string) string {
	t.Helper()
	if err := exec.Command(python, "-c", "import h5py, numpy").Run(); err != nil {
		t.Skipf("%s with h5py and numpy is needed to write this file: %v", python, err)
	}
	p := writeFile(t, dir, "edited.h5ad", simulated(t))
	out, err := exec.Command(python, "-c", "import sys, h5py, numpy as np\nf = h5py.File(sys.argv[1], 'r+')\n"+script+"\nf.close()", p).CombinedOutput()
	if err != nil {
		t.Fatalf("editing %s: %v\n%s", p, err, out)
	}
	return p
}

// TestBadInputs gives velo run and velo convert broken inputs and requires
// each to fail with one line naming the file and the problem, leaving no
// output or temporary file behind.
func TestBadInputs(t *testing.T) {
	tests := []struct {
		name string
		// input writes the input into dir and returns its path.
		input func(t *testing.T, dir string) string
		// sameOutput makes -o the input itself.
		sameOutput bool
		// commands are the subcommands the input is wrong for: a file
		// convert can copy faithfully but run cannot analyse is run's
		// problem only.
		commands []string
		want     string
	}{
		{
			name: "not HDF5",
			input: func(t *testing.T, dir string) string {
				p := filepath.Join(dir, "x.h5ad")
				if err := os.WriteFile(p, []byte("cell,gene,count\n"), 0o644); err != nil {
					t.Fatal(err)
				}
				return p
			},
			commands: []string{"run", "convert"},
			want:     "not what its name says",
		},
		{
			name: "truncated",
			input: func(t *testing.T, dir string) string {
				p := writeFile(t, dir, "whole.h5ad", simulated(t))
				b, err := os.ReadFile(p)
				if err != nil {
					t.Fatal(err)
				}
				cut := filepath.Join(dir, "cut.h5ad")
				if err := os.WriteFile(cut, b[:len(b)/2], 0o644); err != nil {
					t.Fatal(err)
				}
				return cut
			},
			commands: []string{"run", "convert"},
			want:     "truncated",
		},
		{
			name: "missing unspliced",
			input: func(t *testing.T, dir string) string {
				a := simulated(t)
				delete(a.Layers, "unspliced")
				return writeFile(t, dir, "spliced_only.h5ad", a)
			},
			commands: []string{"run", "convert"},
			want:     "unspliced",
		},
		{
			name: "layer shape",
			input: func(t *testing.T, dir string) string {
				return h5pyEdit(t, dir, `n, g = len(f['obs/_index']), len(f['var/_index'])
del f['layers/unspliced']
d = f['layers'].create_dataset('unspliced', data=np.ones((n, g - 1), np.float32))
d.attrs['encoding-type'] = 'array'
d.attrs['encoding-version'] = '0.2.0'`)
			},
			commands: []string{"run", "convert"},
			want:     "unspliced",
		},
		{
			name: "negative count",
			input: func(t *testing.T, dir string) string {
				return writeFile(t, dir, "negative.h5ad", setCount(simulated(t), -1))
			},
			commands: []string{"run", "convert"},
			want:     "negative",
		},
		{
			name: "NaN count",
			input: func(t *testing.T, dir string) string {
				return writeFile(t, dir, "nan.h5ad", setCount(simulated(t), float32(math.NaN())))
			},
			commands: []string{"run", "convert"},
			want:     "non-finite",
		},
		{
			name: "no gene passes the filter",
			input: func(t *testing.T, dir string) string {
				// Five cells with one spliced and one unspliced count in
				// each gene: 10 shared counts, below the default
				// min_shared_counts of 20.
				a := anndata.New([]string{"c0", "c1", "c2", "c3", "c4"}, []string{"g0", "g1", "g2"})
				for _, k := range []string{"spliced", "unspliced"} {
					d := &array.Dense{Rows: 5, Cols: 3, Data: make([]float32, 15)}
					for i := range d.Data {
						d.Data[i] = 1
					}
					a.Layers[k] = d
				}
				a.X = a.Layers["spliced"]
				return writeFile(t, dir, "tiny.h5ad", a)
			},
			commands: []string{"run"},
			want:     "genes",
		},
		{
			name: "no cells",
			input: func(t *testing.T, dir string) string {
				a := anndata.New([]string{}, []string{"g0", "g1"})
				for _, k := range []string{"spliced", "unspliced"} {
					a.Layers[k] = &array.Dense{Rows: 0, Cols: 2}
				}
				return writeFile(t, dir, "empty.h5ad", a)
			},
			commands: []string{"run", "convert"},
			want:     "no cells",
		},
		{
			name: "duplicate cell names",
			input: func(t *testing.T, dir string) string {
				return h5pyEdit(t, dir, `d = f['obs/_index']
v = d[...]
v[1] = v[0]
d[...] = v`)
			},
			commands: []string{"run", "convert"},
			want:     "duplicate name",
		},
		{
			name: "output is the input",
			input: func(t *testing.T, dir string) string {
				return writeFile(t, dir, "input.h5ad", simulated(t))
			},
			sameOutput: true,
			commands:   []string{"run", "convert"},
			want:       "overwrite the input",
		},
	}
	for _, tc := range tests {
		for _, command := range tc.commands {
			t.Run(command+"/"+tc.name, func(t *testing.T) {
				inDir, outDir := t.TempDir(), t.TempDir()
				input := tc.input(t, inDir)
				out, named := filepath.Join(outDir, "out.h5ad"), input
				if tc.sameOutput {
					out, named = input, input
				}
				before := listDir(t, filepath.Dir(out))
				args := []string{command, "-q", input, "-o", out}
				if command == "run" {
					args = append(args, "--no-graph")
				}
				_, _, err := runCLI(t, args...)
				if err == nil {
					t.Fatalf("velo %s succeeded", strings.Join(args, " "))
				}
				msg := err.Error()
				t.Logf("velo %s: %s", command, msg)
				if strings.Contains(msg, "\n") {
					t.Errorf("message spans several lines: %q", msg)
				}
				if !strings.Contains(msg, named) {
					t.Errorf("message does not name %s: %q", named, msg)
				}
				if !strings.Contains(msg, tc.want) {
					t.Errorf("message does not say %q: %q", tc.want, msg)
				}
				if after := listDir(t, filepath.Dir(out)); !slices.Equal(before, after) {
					t.Errorf("%s held %v before and %v after", filepath.Dir(out), before, after)
				}
			})
		}
	}
}

// listDir returns the sorted names in dir.
func listDir(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

// TestMergeBadInputs requires velo merge to refuse, in one line that says
// what is wrong, and write nothing.
func TestMergeBadInputs(t *testing.T) {
	dir := t.TempDir()
	sample := writeFile(t, dir, "s1.h5ad", simulated(t))
	other := anndata.New([]string{"s1_ACGTACGTACGTACGT"}, []string{"g"})
	annotation := writeFile(t, dir, "annotation.h5ad", other)
	tests := []struct {
		name string
		args []string
		out  string
		want string
	}{
		{"output is the annotation", []string{sample, "--annotation", annotation}, annotation, annotation + ": the output would overwrite the input"},
		{"names miscounted", []string{sample, "--sample-names", "a,b"}, "", "--sample-names gives 2 names for 1 samples"},
		{"names given twice", []string{"a=" + sample, "--sample-names", "b"}, "", "named both by NAME=PATH and by --sample-names"},
		{"nothing matches", []string{sample, "--annotation", annotation}, "", `sample "s1"`},
		{"missing sample", []string{filepath.Join(dir, "absent.h5ad")}, "", "absent.h5ad"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			outDir := t.TempDir()
			out := tc.out
			if out == "" {
				out = filepath.Join(outDir, "out.h5ad")
			}
			before := listDir(t, filepath.Dir(out))
			_, _, err := runCLI(t, append([]string{"merge", "-q", "-o", out}, tc.args...)...)
			if err == nil {
				t.Fatal("velo merge succeeded")
			}
			msg := err.Error()
			t.Logf("velo merge: %s", msg)
			if strings.Contains(msg, "\n") || !strings.Contains(msg, tc.want) {
				t.Errorf("message %q, want one line containing %q", msg, tc.want)
			}
			if after := listDir(t, filepath.Dir(out)); !slices.Equal(before, after) {
				t.Errorf("%s held %v before and %v after", filepath.Dir(out), before, after)
			}
		})
	}
}
