// Package testref loads the pancreas counts of the shared test data straight
// from pancreas.h5ad (through the HDF5 binding, independently of velo's
// h5ad reader) and compares a reader's result with them, value by value.
// Only tests import it.
package testref

import (
	"fmt"
	"testing"

	"github.com/velo-rna/velo/anndata"
	"github.com/velo-rna/velo/array"
	"github.com/velo-rna/velo/internal/hdf5"
	"github.com/velo-rna/velo/internal/testenv"
)

// Pancreas is the reference: cell barcodes, gene names and the spliced and
// unspliced counts (cells × genes) of pancreas.h5ad.
type Pancreas struct {
	Cells, Genes []string
	Layers       map[string]*array.CSR
}

// Load reads the reference, skipping the test when VELO_TESTDATA is unset.
func Load(t testing.TB) *Pancreas {
	t.Helper()
	path := testenv.Path(t, "data", "pancreas", "pancreas.h5ad")
	p, err := load(path)
	if err != nil {
		t.Fatalf("loading the reference %s: %v", path, err)
	}
	return p
}

func load(path string) (*Pancreas, error) {
	f, err := hdf5.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	root, err := f.Root()
	if err != nil {
		return nil, err
	}
	defer root.Close()
	p := &Pancreas{Layers: map[string]*array.CSR{}}
	if p.Cells, err = readStrings(root, "obs/_index"); err != nil {
		return nil, err
	}
	if p.Genes, err = readStrings(root, "var/_index"); err != nil {
		return nil, err
	}
	for _, k := range []string{"spliced", "unspliced"} {
		m, err := readCSR(root, "layers/"+k, len(p.Cells), len(p.Genes))
		if err != nil {
			return nil, err
		}
		p.Layers[k] = m
	}
	return p, nil
}

func readStrings(g *hdf5.Group, name string) ([]string, error) {
	d, err := g.OpenDataset(name)
	if err != nil {
		return nil, err
	}
	defer d.Close()
	return d.ReadStrings()
}

func readCSR(g *hdf5.Group, name string, rows, cols int) (*array.CSR, error) {
	m := &array.CSR{Rows: rows, Cols: cols}
	open := func(k string) (*hdf5.Dataset, error) { return g.OpenDataset(name + "/" + k) }
	d, err := open("data")
	if err != nil {
		return nil, err
	}
	m.Data, err = hdf5.ReadNumeric[float32](d)
	d.Close()
	if err != nil {
		return nil, err
	}
	if d, err = open("indices"); err != nil {
		return nil, err
	}
	m.Indices, err = hdf5.ReadNumeric[int32](d)
	d.Close()
	if err != nil {
		return nil, err
	}
	if d, err = open("indptr"); err != nil {
		return nil, err
	}
	m.Indptr, err = hdf5.ReadNumeric[int64](d)
	d.Close()
	if err != nil {
		return nil, err
	}
	return m, m.Validate()
}

// Compare checks that got holds exactly the reference counts: the same
// cells (after cellName maps got's obs names to reference barcodes), the
// same genes by name, and every spliced and unspliced value equal. It
// returns the number of values compared.
func Compare(t testing.TB, ref *Pancreas, got *anndata.AnnData, cellName func(string) string) int {
	t.Helper()
	if err := got.Validate(); err != nil {
		t.Fatalf("invalid AnnData: %v", err)
	}
	if got.NObs() != len(ref.Cells) || got.NVars() != len(ref.Genes) {
		t.Fatalf("shape %d×%d, reference %d×%d", got.NObs(), got.NVars(), len(ref.Cells), len(ref.Genes))
	}
	refCell := index(ref.Cells)
	rows := make([]int, got.NObs())
	for i, n := range got.Obs.Index {
		r, ok := refCell[cellName(n)]
		if !ok {
			t.Fatalf("cell %q (%q) is not in the reference", n, cellName(n))
		}
		rows[i] = r
	}
	refGene := index(ref.Genes)
	cols := make([]int, got.NVars())
	for j, n := range got.Var.Index {
		c, ok := refGene[n]
		if !ok {
			t.Fatalf("gene %q is not in the reference", n)
		}
		cols[j] = c
	}
	compared := 0
	for _, k := range []string{"spliced", "unspliced"} {
		layer, err := got.Layer(k)
		if err != nil {
			t.Fatal(err)
		}
		g := array.AsDense(layer)
		want := ref.Layers[k].ToDense()
		var nnzGot, nnzWant int
		for i := 0; i < g.Rows; i++ {
			for j := 0; j < g.Cols; j++ {
				gv, wv := g.At(i, j), want.At(rows[i], cols[j])
				if gv != wv {
					t.Fatalf("%s[%s, %s] = %v, reference %v", k, got.Obs.Index[i], got.Var.Index[j], gv, wv)
				}
				if gv != 0 {
					nnzGot++
				}
				if wv != 0 {
					nnzWant++
				}
				compared++
			}
		}
		if nnzGot != nnzWant || nnzWant != ref.Layers[k].NNZ() {
			t.Fatalf("%s: %d non-zeros, reference %d", k, nnzGot, nnzWant)
		}
	}
	x := array.AsDense(got.X)
	s := array.AsDense(got.Layers["spliced"])
	for k := range x.Data {
		if x.Data[k] != s.Data[k] {
			t.Fatalf("X differs from the spliced layer at element %d", k)
		}
	}
	return compared
}

func index(names []string) map[string]int {
	m := make(map[string]int, len(names))
	for i, n := range names {
		m[n] = i
	}
	return m
}

// Identity maps a name to itself.
func Identity(s string) string { return s }

// Summary describes an AnnData's counts for log lines.
func Summary(a *anndata.AnnData) string {
	s := fmt.Sprintf("%d cells × %d genes", a.NObs(), a.NVars())
	for _, k := range anndata.SortedKeys(a.Layers) {
		m := array.AsCSR(a.Layers[k])
		var sum float64
		for _, v := range m.RowSums() {
			sum += v
		}
		s += fmt.Sprintf(", %s %d nnz sum %.0f", k, m.NNZ(), sum)
	}
	return s
}
