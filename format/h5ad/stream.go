package h5ad

import (
	"errors"
	"fmt"
	"sync"

	"github.com/velo-rna/velo/anndata"
	"github.com/velo-rna/velo/array"
	"github.com/velo-rna/velo/internal/atomicfile"
	"github.com/velo-rna/velo/internal/hdf5"
)

// Chunk shape of streamed layers: streamChunkCols genes, so that a block of
// that many columns fills whole chunks and is written and read back
// without read-modify-write, by streamChunkRows cells, which makes a chunk
// 1 MiB of float32: libhdf5's default chunk cache still holds one, and a
// million-cell layer has a few thousand chunks.
const (
	streamChunkCols = 64
	streamChunkRows = 4096
)

// Stream is an .h5ad file under construction. Large elements are written
// as soon as they are ready; Finish writes the rest and makes the file appear.
//
// Dense layers can be streamed in column blocks (WriteColumns) and read
// back (ReadColumns), and whole matrices written early (WriteMatrix), so a
// caller computing layers bigger than memory holds only a block at a time.
// The file is written to a temporary file next to its destination and
// renamed into place by Finish; Abort, or a failed Finish, removes it. A
// Stream's methods may be called from several goroutines; libhdf5 runs one
// call at a time.
type Stream struct {
	mu         sync.Mutex
	path       string
	rows, cols int
	pending    *atomicfile.Pending
	file       *hdf5.File
	root       *hdf5.Group
	layers     *hdf5.Group // the layers dict, open until Finish
	streamed   map[string]*streamedLayer
	written    map[string]bool // "X" and "layers/<name>" written by WriteMatrix
	w          *writer
	closed     bool // finished or aborted
}

// streamedLayer is a dense layer being written in column blocks.
type streamedLayer struct {
	d    *hdf5.Dataset
	done []bool // columns written so far
	left int    // columns still to write
}

// Create starts path as a temporary file in the same directory (nothing
// appears at path until Finish); rows × cols is the shape of X and every
// layer.
func Create(path string, rows, cols int) (*Stream, error) {
	if rows < 0 || cols < 0 {
		return nil, fmt.Errorf("%s: invalid shape %d×%d", path, rows, cols)
	}
	p, err := atomicfile.Create(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	s := &Stream{path: path, rows: rows, cols: cols, pending: p,
		streamed: map[string]*streamedLayer{}, written: map[string]bool{}, w: newWriter(WriteOptions{})}
	if err := s.open(); err != nil {
		s.abort()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return s, nil
}

// open creates the HDF5 file with its root encoding and layers group.
func (s *Stream) open() error {
	var err error
	if s.file, err = hdf5.Create(s.pending.Tmp()); err != nil {
		return err
	}
	if s.root, err = s.file.Root(); err != nil {
		return err
	}
	if err := setEncoding(s.root, encAnnData); err != nil {
		return err
	}
	s.layers, err = encodedGroup(s.root, "layers", encDict)
	return err
}

func (s *Stream) errorf(format string, args ...any) error {
	return fmt.Errorf("%s: %s", s.path, fmt.Sprintf(format, args...))
}

// usable refuses calls after Finish or Abort.
func (s *Stream) usable() error {
	if s.closed {
		return s.errorf("the file was already finished or aborted")
	}
	return nil
}

// WriteColumns stores block (rows × w float32) as columns [col0, col0+w) of
// the dense layer `layer`, creating layers/<layer> (rows × cols float32,
// chunked so that column blocks of ~64 genes write and read efficiently,
// uncompressed) on first use. Blocks may come in any order; each column is
// written once.
//
// Blocks aligned to multiples of 64 columns are written straight from block
// without copies; others cost libhdf5 a read-modify-write of the chunks
// they share with their neighbours, but give the same file content.
func (s *Stream) WriteColumns(layer string, col0 int, block *array.Dense) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.usable(); err != nil {
		return err
	}
	label := "layers/" + layer
	if block.Rows != s.rows || col0 < 0 || col0+block.Cols > s.cols {
		return s.errorf("%s: a %d×%d block at column %d does not fit %d×%d", label, block.Rows, block.Cols, col0, s.rows, s.cols)
	}
	l, err := s.streamedLayer(layer)
	if err != nil {
		return err
	}
	for j := col0; j < col0+block.Cols; j++ {
		if l.done[j] {
			return s.errorf("%s: column %d is written twice", label, j)
		}
	}
	if err := hdf5.WriteBlock(l.d, []int{0, col0}, []int{block.Rows, block.Cols}, block.Data); err != nil {
		return fmt.Errorf("%s: %w", s.path, err)
	}
	for j := col0; j < col0+block.Cols; j++ {
		l.done[j] = true
	}
	l.left -= block.Cols
	return nil
}

// streamedLayer returns the layer's dataset, creating it on first use.
func (s *Stream) streamedLayer(layer string) (*streamedLayer, error) {
	if l, ok := s.streamed[layer]; ok {
		return l, nil
	}
	if err := memberName("layers", layer); err != nil {
		return nil, fmt.Errorf("%s: %w", s.path, err)
	}
	if s.written["layers/"+layer] {
		return nil, s.errorf("layers/%s was already written whole", layer)
	}
	// Preallocated, so that the file is the same whatever order the blocks
	// come in; Finish refuses layers with unwritten columns.
	chunk := hdf5.Layout{Chunk: []int{streamChunkRows, streamChunkCols}, Preallocate: true}
	d, err := hdf5.CreateNumeric[float32](s.layers, layer, []int{s.rows, s.cols}, chunk)
	if err == nil {
		if err = setEncoding(d, encArray); err != nil {
			d.Close()
		}
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", s.path, err)
	}
	l := &streamedLayer{d: d, done: make([]bool, s.cols), left: s.cols}
	s.streamed[layer] = l
	return l, nil
}

// ReadColumns returns the given columns (ascending, in 0..cols) of a
// streamed layer as a rows × len(cols) Dense. Every requested column must
// have been written.
func (s *Stream) ReadColumns(layer string, cols []int) (*array.Dense, error) {
	return s.ReadRows(layer, 0, s.rows, cols)
}

// ReadRows returns rows [lo, hi) of the given columns (ascending, in
// 0..cols) of a streamed layer as a (hi − lo) × len(cols) Dense. Every
// requested column must have been written. Ranges that start and end on
// multiples of 4096 rows read whole chunks.
func (s *Stream) ReadRows(layer string, lo, hi int, cols []int) (*array.Dense, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.usable(); err != nil {
		return nil, err
	}
	l, ok := s.streamed[layer]
	if !ok {
		return nil, s.errorf("layers/%s is not a streamed layer", layer)
	}
	if lo < 0 || hi < lo || hi > s.rows {
		return nil, s.errorf("layers/%s: rows [%d, %d) are outside [0, %d)", layer, lo, hi, s.rows)
	}
	for i, j := range cols {
		if j < 0 || j >= s.cols {
			return nil, s.errorf("layers/%s: column %d is outside [0, %d)", layer, j, s.cols)
		}
		if i > 0 && j <= cols[i-1] {
			return nil, s.errorf("layers/%s: columns must be strictly increasing, got %d after %d", layer, j, cols[i-1])
		}
		if !l.done[j] {
			return nil, s.errorf("layers/%s: column %d has not been written", layer, j)
		}
	}
	out := array.NewDense(hi-lo, len(cols))
	if err := hdf5.ReadRowColumns(l.d, lo, hi, cols, out.Data); err != nil {
		return nil, fmt.Errorf("%s: %w", s.path, err)
	}
	return out, nil
}

// WriteMatrix stores a complete X (name "X") or layer now (dense or CSR),
// so the caller can drop it from memory.
func (s *Stream) WriteMatrix(name string, m array.Matrix) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.usable(); err != nil {
		return err
	}
	label, parent := "X", s.root
	if name != "X" {
		if err := memberName("layers", name); err != nil {
			return fmt.Errorf("%s: %w", s.path, err)
		}
		label, parent = "layers/"+name, s.layers
		if _, ok := s.streamed[name]; ok {
			return s.errorf("%s is being streamed in column blocks", label)
		}
	}
	if s.written[label] {
		return s.errorf("%s is written twice", label)
	}
	if r, c := m.Shape(); r != s.rows || c != s.cols {
		return s.errorf("%s is %d×%d, want %d×%d", label, r, c, s.rows, s.cols)
	}
	if err := s.w.matrix(parent, name, m); err != nil {
		return fmt.Errorf("%s: %w", s.path, err)
	}
	s.written[label] = true
	return nil
}

// Finish writes every remaining element of a (obs, var, obsm, varm, obsp,
// uns, X and layers not already written; an element present both in a and
// in the stream is an error), closes the file and renames it to path
// atomically. a's shape must be rows × cols.
//
// Every column of every streamed layer must have been written. On failure
// the temporary file is removed and path is left untouched, as by Abort.
func (s *Stream) Finish(a *anndata.AnnData) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.usable(); err != nil {
		return err
	}
	err := s.finish(a)
	if err != nil {
		s.abort()
		return fmt.Errorf("%s: %w", s.path, err)
	}
	return nil
}

func (s *Stream) finish(a *anndata.AnnData) error {
	if a.NObs() != s.rows || a.NVars() != s.cols {
		return fmt.Errorf("the AnnData is %d×%d but the stream was created %d×%d", a.NObs(), a.NVars(), s.rows, s.cols)
	}
	if err := a.Validate(); err != nil {
		return fmt.Errorf("cannot write: %w", err)
	}
	if a.X != nil && s.written["X"] {
		return errors.New("X is both in the AnnData and already written")
	}
	for _, k := range anndata.SortedKeys(a.Layers) {
		if _, ok := s.streamed[k]; ok || s.written["layers/"+k] {
			return fmt.Errorf("layers/%s is both in the AnnData and already written", k)
		}
	}
	for _, k := range anndata.SortedKeys(s.streamed) {
		if l := s.streamed[k]; l.left > 0 {
			for j, ok := range l.done {
				if !ok {
					return fmt.Errorf("layers/%s: %d columns were never written, the first is %d", k, l.left, j)
				}
			}
		}
	}
	if a.X != nil {
		if err := s.w.matrix(s.root, "X", a.X); err != nil {
			return err
		}
	}
	if err := writeMembers(s.layers, "layers", a.Layers, s.w.matrix); err != nil {
		return err
	}
	if err := s.w.annotations(s.root, a); err != nil {
		return err
	}
	if err := s.close(); err != nil {
		return err
	}
	s.closed = true
	return s.pending.Commit()
}

// close closes the datasets, groups and file, returning the first error.
func (s *Stream) close() error {
	var first error
	keep := func(err error) {
		if first == nil {
			first = err
		}
	}
	for _, l := range s.streamed {
		keep(l.d.Close())
	}
	s.streamed = map[string]*streamedLayer{}
	for _, g := range []*hdf5.Group{s.layers, s.root} {
		if g != nil {
			keep(g.Close())
		}
	}
	s.layers, s.root = nil, nil
	if s.file != nil {
		keep(s.file.Close())
		s.file = nil
	}
	return first
}

// Abort removes the temporary file; safe after Finish (no-op) and safe to
// call twice.
func (s *Stream) Abort() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.abort(); err != nil {
		return fmt.Errorf("%s: %w", s.path, err)
	}
	return nil
}

// abort closes everything and discards the temporary file; closing errors
// do not matter once the file is thrown away.
func (s *Stream) abort() error {
	s.close()
	s.closed = true
	return s.pending.Discard()
}
