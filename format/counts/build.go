package counts

import (
	"fmt"
	"sync"

	"github.com/velo-rna/velo/anndata"
	"github.com/velo-rna/velo/array"
	"github.com/velo-rna/velo/format/internal/names"
	"github.com/velo-rna/velo/format/mtx"
)

// Options controls the readers. The zero value gives the usual velocity
// setup.
type Options struct {
	// AlevinCounts chooses which alevin-fry USA blocks make the spliced
	// layer: "S+A" (default, "" means the same) adds the ambiguous counts to
	// the spliced ones, as pyroe's load_fry "velocity" output format does;
	// "S" keeps spliced only. Unspliced is always U.
	AlevinCounts string
	// Threads bounds the goroutines parsing each matrix (0 = GOMAXPROCS).
	// Results do not depend on it.
	Threads int
	// Logf receives notes on choices the reader made (which directory it
	// read, how it aligned mismatched files). Nil is silent.
	Logf func(format string, args ...any)
}

func (o Options) logf(format string, args ...any) {
	if o.Logf != nil {
		o.Logf(format, args...)
	}
}

// genes is a counter's gene list.
type genes struct {
	ids, names, types []string // names and types may be nil
}

// newAnnData assembles the result. spliced becomes X as a copy, so that
// steps normalising X in place leave the raw layer intact.
func newAnnData(barcodes []string, g genes, layers map[string]*array.CSR) *anndata.AnnData {
	varNames := g.names
	if varNames == nil {
		varNames = g.ids
	}
	a := anndata.New(append([]string(nil), barcodes...), names.MakeUnique(varNames))
	a.Var.Set("gene_ids", append([]string(nil), g.ids...))
	if g.types != nil {
		a.Var.Set("feature_types", append([]string(nil), g.types...))
	}
	for k, m := range layers {
		a.Layers[k] = m
	}
	a.X = layers["spliced"].Clone()
	return a
}

// readMatrices reads several MatrixMarket files concurrently, so that their
// decompression overlaps.
func readMatrices(paths []string, transpose bool, opts Options) ([]*mtx.File, error) {
	out := make([]*mtx.File, len(paths))
	errs := make([]error, len(paths))
	var wg sync.WaitGroup
	for i, p := range paths {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out[i], errs[i] = mtx.Read(p, mtx.Options{Transpose: transpose, Threads: opts.Threads})
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// single returns the only value column of f.
func single(f *mtx.File, path string) (*array.CSR, error) {
	if len(f.Values) != 1 {
		return nil, fmt.Errorf("%s: entries have %d value columns, want 1", path, len(f.Values))
	}
	return f.Values[0], nil
}

// checkShape verifies that m (cells × genes) matches the name lists.
func checkShape(m *array.CSR, path string, nCells int, cellsFrom string, nGenes int, genesFrom string, fileOrder string) error {
	if m.Rows == nCells && m.Cols == nGenes {
		return nil
	}
	r, c := m.Rows, m.Cols
	if fileOrder == "genes × cells" {
		r, c = c, r
	}
	return fmt.Errorf("%s is %d×%d (%s), but %s lists %d barcodes and %s %d genes",
		path, r, c, fileOrder, cellsFrom, nCells, genesFrom, nGenes)
}
