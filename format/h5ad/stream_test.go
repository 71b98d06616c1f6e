package h5ad

import (
	"bytes"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"weak"

	"github.com/velo-rna/velo/anndata"
	"github.com/velo-rna/velo/array"
)

// streamData returns a rows × cols AnnData with what velo's pipeline writes:
// sparse X and count layers, dense moment and velocity layers (with a NaN,
// as velocities of unfitted genes are) and annotations.
func streamData(rows, cols int) *anndata.AnnData {
	obs, vars := make([]string, rows), make([]string, cols)
	for i := range obs {
		obs[i] = fmt.Sprint("cell", i)
	}
	for j := range vars {
		vars[j] = fmt.Sprint("gene", j)
	}
	a := anndata.New(obs, vars)
	r := rand.New(rand.NewPCG(7, uint64(rows*cols)))
	sparse := func(density float64) *array.CSR {
		m := array.NewDense(rows, cols)
		for i := range m.Data {
			if r.Float64() < density {
				m.Data[i] = float32(1 + r.IntN(20))
			}
		}
		return m.ToCSR()
	}
	dense := func() *array.Dense {
		m := array.NewDense(rows, cols)
		for i := range m.Data {
			m.Data[i] = float32(r.NormFloat64())
		}
		return m
	}
	x := sparse(0.3)
	a.X = x
	// spliced shares X's structure, as after Read, with other values.
	spliced := &array.CSR{Rows: rows, Cols: cols, Indptr: x.Indptr, Indices: x.Indices, Data: make([]float32, len(x.Data))}
	for i, v := range x.Data {
		spliced.Data[i] = 2 * v
	}
	a.Layers["spliced"] = spliced
	a.Layers["unspliced"] = sparse(0.1)
	for _, k := range []string{"Ms", "Mu", "velocity"} {
		a.Layers[k] = dense()
	}
	if rows > 0 && cols > 0 {
		a.Layers["velocity"].(*array.Dense).Data[0] = float32(math.NaN())
	}
	clusters := make([]int32, rows)
	for i := range clusters {
		clusters[i] = int32(i % 3)
	}
	a.Obs.Set("clusters", &anndata.Categorical{Codes: clusters, Categories: []string{"a", "b", "c"}})
	gamma := make([]float32, cols)
	for j := range gamma {
		gamma[j] = float32(r.ExpFloat64())
	}
	a.Var.Set("velocity_gamma", gamma)
	a.Obsm["X_umap"] = array.NewDense(rows, 2)
	a.Uns["velocity_params"] = map[string]any{"mode": "stochastic"}
	return a
}

// blocks splits [0, cols) into consecutive column blocks, of 64 columns
// (the chunk width) when aligned is set and of random widths otherwise,
// and returns their starts and ends in a random order.
func blocks(r *rand.Rand, cols int, aligned bool) [][2]int {
	var out [][2]int
	for c := 0; c < cols; {
		w := streamChunkCols
		if !aligned {
			w = 1 + r.IntN(2*streamChunkCols)
		}
		out = append(out, [2]int{c, min(cols, c+w)})
		c += w
	}
	r.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}

// A file built by streaming layers in shuffled column blocks, writing
// matrices early and finishing with the rest reads back exactly as Write of
// the whole AnnData does, and loads in Python's anndata.
func TestStream(t *testing.T) {
	tests := []struct {
		name       string
		rows, cols int
		anndata    bool
	}{
		{"two row chunks", streamChunkRows + 100, 150, false},
		{"anndata reads it", 40, 130, true},
		{"no cells", 0, 5, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := streamData(tt.rows, tt.cols)
			dir := t.TempDir()
			wantPath, path := filepath.Join(dir, "write.h5ad"), filepath.Join(dir, "stream.h5ad")
			if err := Write(wantPath, a); err != nil {
				t.Fatal(err)
			}
			s, err := Create(path, tt.rows, tt.cols)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Abort()
			r := rand.New(rand.NewPCG(1, 2))
			for _, layer := range []struct {
				name    string
				aligned bool
			}{{"Ms", true}, {"velocity", false}} {
				m := a.Layers[layer.name].(*array.Dense)
				var done []int
				for i, b := range blocks(r, tt.cols, layer.aligned) {
					cols := make([]int, 0, b[1]-b[0])
					for j := b[0]; j < b[1]; j++ {
						cols = append(cols, j)
					}
					if err := s.WriteColumns(layer.name, b[0], m.SelectCols(cols)); err != nil {
						t.Fatal(err)
					}
					done = append(done, cols...)
					if i%3 == 0 { // read back what is written so far, every column and every other one
						slices.Sort(done)
						var every2 []int
						for k := 0; k < len(done); k += 2 {
							every2 = append(every2, done[k])
						}
						for _, sel := range [][]int{done, every2} {
							got, err := s.ReadColumns(layer.name, sel)
							if err != nil {
								t.Fatal(err)
							}
							sameValue(t, fmt.Sprintf("%s columns %v", layer.name, sel), got, m.SelectCols(sel))
						}
						lo, hi := tt.rows/3, max(tt.rows-1, tt.rows/3)
						got, err := s.ReadRows(layer.name, lo, hi, every2)
						if err != nil {
							t.Fatal(err)
						}
						rows := make([]int, 0, hi-lo)
						for i := lo; i < hi; i++ {
							rows = append(rows, i)
						}
						sameValue(t, fmt.Sprintf("%s rows [%d, %d) columns %v", layer.name, lo, hi, every2), got, m.SelectCols(every2).SelectRows(rows))
					}
				}
			}
			for _, name := range []string{"X", "Mu", "spliced"} {
				m := a.X
				if name != "X" {
					m = a.Layers[name]
				}
				if err := s.WriteMatrix(name, m); err != nil {
					t.Fatal(err)
				}
			}
			rest := *a
			rest.X = nil
			rest.Layers = map[string]array.Matrix{"unspliced": a.Layers["unspliced"]}
			if _, err := os.Stat(path); !os.IsNotExist(err) {
				t.Fatalf("%s exists before Finish: %v", path, err)
			}
			if err := s.Finish(&rest); err != nil {
				t.Fatal(err)
			}
			got, skipped, err := ReadSkipping(path)
			if err != nil {
				t.Fatal(err)
			}
			if len(skipped) != 0 {
				t.Errorf("skipped %v", skipped)
			}
			want, err := Read(wantPath)
			if err != nil {
				t.Fatal(err)
			}
			sameAnnData(t, got, want)
			sameAnnData(t, got, a)
			if entries, _ := os.ReadDir(dir); len(entries) != 2 {
				t.Errorf("directory holds %d entries, want the two files", len(entries))
			}
			if err := s.Abort(); err != nil {
				t.Errorf("Abort after Finish: %v", err)
			}
			if _, err := os.Stat(path); err != nil {
				t.Errorf("Abort after Finish removed the file: %v", err)
			}
			if tt.anndata {
				anndataSees(t, python(t), path, a)
			}
		})
	}
}

// Misuse fails with an error naming the file and the element, and a failed
// Finish or an Abort leaves nothing behind.
func TestStreamErrors(t *testing.T) {
	const rows, cols = 6, 100
	block := func(w int) *array.Dense { return array.NewDense(rows, w) }
	tests := []struct {
		name string
		run  func(s *Stream, a *anndata.AnnData) error
		want string
	}{
		{"column twice", func(s *Stream, _ *anndata.AnnData) error {
			s.WriteColumns("Ms", 0, block(10))
			return s.WriteColumns("Ms", 9, block(2))
		}, "layers/Ms: column 9 is written twice"},
		{"block too tall", func(s *Stream, _ *anndata.AnnData) error {
			return s.WriteColumns("Ms", 0, array.NewDense(rows+1, 3))
		}, "layers/Ms: a 7×3 block at column 0 does not fit 6×100"},
		{"block past the end", func(s *Stream, _ *anndata.AnnData) error {
			return s.WriteColumns("Ms", 98, block(3))
		}, "does not fit"},
		{"bad layer name", func(s *Stream, _ *anndata.AnnData) error {
			return s.WriteColumns("a/b", 0, block(3))
		}, `layers: key "a/b" cannot be stored`},
		{"unwritten column", func(s *Stream, _ *anndata.AnnData) error {
			s.WriteColumns("Ms", 0, block(10))
			_, err := s.ReadColumns("Ms", []int{3, 10})
			return err
		}, "layers/Ms: column 10 has not been written"},
		{"unsorted columns", func(s *Stream, _ *anndata.AnnData) error {
			s.WriteColumns("Ms", 0, block(10))
			_, err := s.ReadColumns("Ms", []int{3, 2})
			return err
		}, "columns must be strictly increasing, got 2 after 3"},
		{"column outside", func(s *Stream, _ *anndata.AnnData) error {
			s.WriteColumns("Ms", 0, block(10))
			_, err := s.ReadColumns("Ms", []int{-1})
			return err
		}, "layers/Ms: column -1 is outside [0, 100)"},
		{"rows outside", func(s *Stream, _ *anndata.AnnData) error {
			s.WriteColumns("Ms", 0, block(10))
			_, err := s.ReadRows("Ms", 2, 7, []int{0})
			return err
		}, "layers/Ms: rows [2, 7) are outside [0, 6)"},
		{"layer not streamed", func(s *Stream, a *anndata.AnnData) error {
			s.WriteMatrix("Ms", a.Layers["Ms"])
			_, err := s.ReadColumns("Ms", []int{0})
			return err
		}, "layers/Ms is not a streamed layer"},
		{"matrix shape", func(s *Stream, _ *anndata.AnnData) error {
			return s.WriteMatrix("X", array.NewDense(rows, cols-1))
		}, "X is 6×99, want 6×100"},
		{"broken CSR", func(s *Stream, a *anndata.AnnData) error {
			m := a.X.(*array.CSR).Clone()
			m.Indices[0] = cols
			return s.WriteMatrix("spliced", m)
		}, "spliced: row 0 has column index 100 outside [0, 100)"},
		{"matrix twice", func(s *Stream, a *anndata.AnnData) error {
			s.WriteMatrix("Mu", a.Layers["Mu"])
			return s.WriteMatrix("Mu", a.Layers["Mu"])
		}, "layers/Mu is written twice"},
		{"matrix over a streamed layer", func(s *Stream, a *anndata.AnnData) error {
			s.WriteColumns("Mu", 0, block(1))
			return s.WriteMatrix("Mu", a.Layers["Mu"])
		}, "layers/Mu is being streamed"},
		{"streaming a written layer", func(s *Stream, a *anndata.AnnData) error {
			s.WriteMatrix("Mu", a.Layers["Mu"])
			return s.WriteColumns("Mu", 0, block(1))
		}, "layers/Mu was already written whole"},
		{"X twice", func(s *Stream, a *anndata.AnnData) error {
			s.WriteMatrix("X", a.X)
			return s.Finish(a)
		}, "X is both in the AnnData and already written"},
		{"streamed layer in the AnnData", func(s *Stream, a *anndata.AnnData) error {
			s.WriteColumns("Ms", 0, a.Layers["Ms"].(*array.Dense))
			return s.Finish(a)
		}, "layers/Ms is both in the AnnData and already written"},
		{"incomplete layer", func(s *Stream, a *anndata.AnnData) error {
			s.WriteColumns("extra", 0, block(40))
			s.WriteColumns("extra", 50, block(50))
			return s.Finish(a)
		}, "layers/extra: 10 columns were never written, the first is 40"},
		{"shape", func(s *Stream, _ *anndata.AnnData) error {
			return s.Finish(streamData(rows, cols+1))
		}, "the AnnData is 6×101 but the stream was created 6×100"},
		{"invalid AnnData", func(s *Stream, a *anndata.AnnData) error {
			a.Layers["bad"] = array.NewDense(2, 2)
			return s.Finish(a)
		}, "cannot write: layer bad is 2×2, want 6×100"},
		{"after abort", func(s *Stream, a *anndata.AnnData) error {
			s.Abort()
			return s.Finish(a)
		}, "the file was already finished or aborted"},
		{"after failed finish", func(s *Stream, a *anndata.AnnData) error {
			s.Finish(streamData(1, 1))
			return s.WriteColumns("Ms", 0, block(1))
		}, "the file was already finished or aborted"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "out.h5ad")
			s, err := Create(path, rows, cols)
			if err != nil {
				t.Fatal(err)
			}
			err = tt.run(s, streamData(rows, cols))
			if err == nil || !strings.HasPrefix(err.Error(), path+": ") || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error = %v, want %q after the path", err, tt.want)
			}
			if err := s.Abort(); err != nil {
				t.Fatal(err)
			}
			if err := s.Abort(); err != nil {
				t.Fatalf("second Abort: %v", err)
			}
			if entries, _ := os.ReadDir(dir); len(entries) != 0 {
				t.Errorf("directory holds %v after Abort, want nothing", entries)
			}
		})
	}
}

// Create fails, naming the file, when its directory cannot hold it.
func TestStreamCreateError(t *testing.T) {
	path := filepath.Join(t.TempDir(), "missing", "out.h5ad")
	if _, err := Create(path, 1, 1); err == nil || !strings.HasPrefix(err.Error(), path+": ") {
		t.Fatalf("Create error = %v, want one starting with the path", err)
	}
}

// The finished file's bytes do not depend on the order the column blocks
// came in, nor on the number of cores.
func TestStreamDeterministic(t *testing.T) {
	const rows, cols = 300, 200
	a := streamData(rows, cols)
	m := a.Layers["velocity"].(*array.Dense)
	rest := *a
	rest.Layers = map[string]array.Matrix{}
	dir := t.TempDir()
	write := func(name string, seed uint64, procs int) []byte {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		path := filepath.Join(dir, name)
		s, err := Create(path, rows, cols)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Abort()
		for _, b := range blocks(rand.New(rand.NewPCG(seed, 0)), cols, false) {
			cols := make([]int, 0, b[1]-b[0])
			for j := b[0]; j < b[1]; j++ {
				cols = append(cols, j)
			}
			if err := s.WriteColumns("velocity", b[0], m.SelectCols(cols)); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.Finish(&rest); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	first := write("a.h5ad", 1, 1)
	for i, procs := range []int{1, 4} {
		if !bytes.Equal(write(fmt.Sprint(i, ".h5ad"), uint64(i+2), procs), first) {
			t.Errorf("another block order on %d cores wrote different bytes", procs)
		}
	}
}

// TestStreamReleasesWrittenMatrices checks that the stream keeps no
// reference to a matrix it has written, so that a caller writing the count
// layers early can drop them (share_test.go checks that X and spliced
// sharing a structure are still stored once).
func TestStreamReleasesWrittenMatrices(t *testing.T) {
	const rows, cols = 50, 20
	a := streamData(rows, cols)
	s, err := Create(filepath.Join(t.TempDir(), "out.h5ad"), rows, cols)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Abort()
	x := a.X.(*array.CSR)
	indices, data := weak.Make(&x.Indices[0]), weak.Make(&x.Data[0])
	for _, name := range []string{"X", "spliced"} {
		m := a.X
		if name != "X" {
			m = a.Layers[name]
		}
		if err := s.WriteMatrix(name, m); err != nil {
			t.Fatal(err)
		}
	}
	a.X, x = nil, nil
	delete(a.Layers, "spliced")
	runtime.GC()
	if indices.Value() != nil || data.Value() != nil {
		t.Error("the stream still holds X's arrays after writing them")
	}
}
