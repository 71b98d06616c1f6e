// Package loom reads velocyto's .loom files: HDF5 files whose /matrix and
// /layers/* datasets are genes × cells, with per-gene attributes in
// /row_attrs and per-cell attributes in /col_attrs.
//
// The result mirrors anndata.read_loom with its defaults (X_name "spliced",
// obs names from CellID, var names from Gene): X is the spliced layer as
// float32, every named layer is kept (spliced, unspliced, ambiguous, as
// float32 CSR, cells × genes) and /matrix becomes layer "matrix"; when the
// file has no spliced layer, X is /matrix. Departures, all deliberate:
// gene names are made unique as var_names_make_unique does (anndata only
// warns); Accession becomes var "gene_ids", the column the other readers
// fill; string attributes stay strings rather than categoricals (a later
// write to h5ad decides the encoding), and layers are CSR whatever their
// file type (velocyto writes uint16).
//
// Other one-dimensional attributes become obs or var columns (integers as
// int64, floats as float32 or float64 by width, strings as strings);
// two-dimensional cell attributes become obsm matrices. Graphs and global
// attributes are not read.
//
// Each matrix is read whole (genes × cells in its file type) before it is
// converted, so a loom needs about that much free memory per layer.
package loom

import (
	"errors"
	"fmt"
	"math"
	"sort"

	"github.com/velo-rna/velo/anndata"
	"github.com/velo-rna/velo/array"
	"github.com/velo-rna/velo/format/internal/names"
	"github.com/velo-rna/velo/internal/hdf5"
	"github.com/velo-rna/velo/internal/parallel"
)

// Options controls Read.
type Options struct {
	// Threads converts matrices on this many goroutines (0 = GOMAXPROCS).
	// The result does not depend on it.
	Threads int
}

// Read reads a loom file.
func Read(path string, opts Options) (*anndata.AnnData, error) {
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
	a, err := read(root, opts)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return a, nil
}

func read(root *hdf5.Group, opts Options) (*anndata.AnnData, error) {
	for _, need := range []string{"matrix", "row_attrs", "col_attrs"} {
		if !root.Has(need) {
			return nil, fmt.Errorf("no /%s: not a loom file", need)
		}
	}
	mat, err := root.OpenDataset("matrix")
	if err != nil {
		return nil, err
	}
	shape := mat.Shape()
	mat.Close()
	if len(shape) != 2 {
		return nil, fmt.Errorf("/matrix has %d dimensions, want 2 (genes × cells)", len(shape))
	}
	nGenes, nCells := shape[0], shape[1]

	rows, err := readAttrs(root, "row_attrs", nGenes)
	if err != nil {
		return nil, err
	}
	cols, err := readAttrs(root, "col_attrs", nCells)
	if err != nil {
		return nil, err
	}
	cellIDs, err := takeNames(cols, "CellID", "col_attrs")
	if err != nil {
		return nil, err
	}
	if err := names.CheckUnique(cellIDs, "CellID"); err != nil {
		return nil, fmt.Errorf("/col_attrs/CellID: %w", err)
	}
	genes, err := takeNames(rows, "Gene", "row_attrs")
	if err != nil {
		return nil, err
	}
	a := anndata.New(cellIDs, names.MakeUnique(genes))
	if acc, ok := rows.vectors["Accession"].([]string); ok {
		a.Var.Set("gene_ids", acc)
		delete(rows.vectors, "Accession")
	}
	for _, k := range rows.order {
		if v, ok := rows.vectors[k]; ok {
			a.Var.Set(k, v)
		}
	}
	for _, k := range cols.order {
		if v, ok := cols.vectors[k]; ok {
			a.Obs.Set(k, v)
		}
	}
	for k, m := range cols.matrices {
		a.Obsm[k] = m
	}
	for k, m := range rows.matrices {
		a.Varm[k] = m
	}

	layerNames := []string{}
	if root.Has("layers") {
		g, err := root.OpenGroup("layers")
		if err != nil {
			return nil, err
		}
		kids, err := g.Children()
		g.Close()
		if err != nil {
			return nil, err
		}
		layerNames = kids
	}
	for _, k := range layerNames {
		m, err := readMatrix(root, "layers/"+k, nGenes, nCells, opts.Threads)
		if err != nil {
			return nil, err
		}
		a.Layers[k] = m
	}
	main, err := readMatrix(root, "matrix", nGenes, nCells, opts.Threads)
	if err != nil {
		return nil, err
	}
	if s, ok := a.Layers["spliced"]; ok {
		a.X = s.(*array.CSR).Clone()
		a.Layers["matrix"] = main
	} else {
		a.X = main
	}
	return a, nil
}

// takeNames removes a string attribute from attrs and returns it.
func takeNames(attrs *attrSet, key, group string) ([]string, error) {
	v, ok := attrs.vectors[key]
	if !ok {
		return nil, fmt.Errorf("no /%s/%s", group, key)
	}
	s, ok := v.([]string)
	if !ok {
		return nil, fmt.Errorf("/%s/%s holds %T, want strings", group, key, v)
	}
	delete(attrs.vectors, key)
	return s, nil
}

// attrSet is one loom attribute group: vectors become frame columns,
// matrices (n × k) obsm/varm entries.
type attrSet struct {
	order    []string
	vectors  map[string]any
	matrices map[string]*array.Dense
}

func readAttrs(root *hdf5.Group, group string, n int) (*attrSet, error) {
	g, err := root.OpenGroup(group)
	if err != nil {
		return nil, err
	}
	defer g.Close()
	kids, err := g.Children()
	if err != nil {
		return nil, err
	}
	s := &attrSet{vectors: map[string]any{}, matrices: map[string]*array.Dense{}}
	for _, k := range kids {
		if kind, err := g.Kind(k); err != nil || kind != hdf5.KindDataset {
			continue
		}
		d, err := g.OpenDataset(k)
		if err != nil {
			return nil, err
		}
		v, m, err := readAttr(d, n)
		d.Close()
		if err != nil {
			return nil, fmt.Errorf("/%s/%s: %w", group, k, err)
		}
		if m != nil {
			s.matrices[k] = m
		} else {
			s.order = append(s.order, k)
			s.vectors[k] = v
		}
	}
	sort.Strings(s.order)
	return s, nil
}

// readAttr reads one attribute of n entries: a vector, or an n × k matrix.
func readAttr(d *hdf5.Dataset, n int) (any, *array.Dense, error) {
	shape := d.Shape()
	if len(shape) == 0 || shape[0] != n {
		return nil, nil, fmt.Errorf("shape %v, want %d entries (one per row or column of /matrix)", shape, n)
	}
	t := d.Type()
	if len(shape) == 2 && shape[1] >= 1 {
		if !t.Numeric() {
			return nil, nil, fmt.Errorf("two-dimensional %s attribute: only numeric matrices are supported", t)
		}
		v, err := hdf5.ReadNumeric[float32](d)
		if err != nil {
			return nil, nil, err
		}
		return nil, &array.Dense{Rows: n, Cols: shape[1], Data: v}, nil
	}
	if len(shape) != 1 {
		return nil, nil, fmt.Errorf("%d-dimensional attribute: not supported", len(shape))
	}
	switch t.Class {
	case hdf5.ClassString:
		v, err := d.ReadStrings()
		return v, nil, err
	case hdf5.ClassBool:
		v, err := hdf5.ReadBools(d)
		return v, nil, err
	case hdf5.ClassFloat:
		if t.Size == 4 {
			v, err := hdf5.ReadNumeric[float32](d)
			return v, nil, err
		}
		v, err := hdf5.ReadNumeric[float64](d)
		return v, nil, err
	case hdf5.ClassInteger, hdf5.ClassEnum:
		v, err := hdf5.ReadNumeric[int64](d)
		return v, nil, err
	}
	return nil, nil, fmt.Errorf("%s attribute: not supported", t)
}

// errBadValue marks matrix values that are not counts.
var errBadValue = errors.New("not a count")

// readMatrix reads a genes × cells dataset and returns it as a cells × genes
// CSR matrix.
func readMatrix(root *hdf5.Group, name string, nGenes, nCells, threads int) (*array.CSR, error) {
	d, err := root.OpenDataset(name)
	if err != nil {
		return nil, err
	}
	defer d.Close()
	if s := d.Shape(); len(s) != 2 || s[0] != nGenes || s[1] != nCells {
		return nil, fmt.Errorf("/%s has shape %v, want [%d %d] like /matrix", name, s, nGenes, nCells)
	}
	t := d.Type()
	var m *array.CSR
	switch {
	case t.Class == hdf5.ClassInteger && !t.Signed && t.Size == 1:
		m, err = convert[uint8](d, nGenes, nCells, threads)
	case t.Class == hdf5.ClassInteger && !t.Signed && t.Size == 2:
		m, err = convert[uint16](d, nGenes, nCells, threads)
	case t.Class == hdf5.ClassInteger && !t.Signed && t.Size == 4:
		m, err = convert[uint32](d, nGenes, nCells, threads)
	case t.Class == hdf5.ClassInteger && t.Signed && t.Size <= 2:
		m, err = convert[int16](d, nGenes, nCells, threads)
	case t.Class == hdf5.ClassInteger && t.Signed && t.Size == 4:
		m, err = convert[int32](d, nGenes, nCells, threads)
	case t.Class == hdf5.ClassFloat && t.Size == 4:
		m, err = convert[float32](d, nGenes, nCells, threads)
	case t.Numeric():
		m, err = convert[float64](d, nGenes, nCells, threads)
	default:
		return nil, fmt.Errorf("/%s holds %s, want numbers", name, t)
	}
	if err != nil {
		return nil, fmt.Errorf("/%s: %w", name, err)
	}
	return m, nil
}

// cellChunk is the number of cells per conversion task; it depends only on
// the shape, so the result is the same for any thread count.
const cellChunk = 1024

// convert reads a genes × cells dataset in type T and builds the cells ×
// genes CSR matrix. Each task owns a range of cells and walks the genes in
// order, so column indices come out sorted.
func convert[T hdf5.Number](d *hdf5.Dataset, nGenes, nCells, threads int) (*array.CSR, error) {
	v, err := hdf5.ReadNumeric[T](d)
	if err != nil {
		return nil, err
	}
	m := &array.CSR{Rows: nCells, Cols: nGenes, Indptr: make([]int64, nCells+1)}
	nChunks := parallel.Chunks(nCells, cellChunk)
	bad := make([]int64, nChunks) // first bad element + 1 per chunk, 0 if none
	parallel.For(nCells, cellChunk, threads, func(c, lo, hi int) {
		for g := 0; g < nGenes; g++ {
			row := v[g*nCells : (g+1)*nCells]
			for j := lo; j < hi; j++ {
				x := float64(row[j])
				if x != 0 {
					if x < 0 || math.IsNaN(x) || math.IsInf(x, 0) {
						if bad[c] == 0 {
							bad[c] = int64(g)*int64(nCells) + int64(j) + 1
						}
						continue
					}
					m.Indptr[j+1]++
				}
			}
		}
	})
	for _, b := range bad {
		if b > 0 {
			g, j := (b-1)/int64(nCells), (b-1)%int64(nCells)
			return nil, fmt.Errorf("value %v at gene %d, cell %d: %w", v[b-1], g, j, errBadValue)
		}
	}
	for j := 0; j < nCells; j++ {
		m.Indptr[j+1] += m.Indptr[j]
	}
	nnz := m.Indptr[nCells]
	m.Indices = make([]int32, nnz)
	m.Data = make([]float32, nnz)
	parallel.For(nCells, cellChunk, threads, func(_, lo, hi int) {
		next := append([]int64(nil), m.Indptr[lo:hi]...)
		for g := 0; g < nGenes; g++ {
			row := v[g*nCells : (g+1)*nCells]
			for j := lo; j < hi; j++ {
				if x := row[j]; x != 0 {
					p := next[j-lo]
					m.Indices[p] = int32(g)
					m.Data[p] = float32(x)
					next[j-lo]++
				}
			}
		}
	})
	return m, nil
}
