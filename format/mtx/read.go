package mtx

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"sort"
	"sync"
	"sync/atomic"

	"github.com/velo-rna/velo/array"
	"github.com/velo-rna/velo/internal/parallel"
)

// Options controls how a file is read. The zero value reads the file as
// stored, on GOMAXPROCS goroutines.
type Options struct {
	// Transpose returns the file's columns as rows: STARsolo writes
	// genes × cells, AnnData wants cells × genes.
	Transpose bool
	// Threads is the number of goroutines parsing text (0 = GOMAXPROCS).
	// The result is the same for any value.
	Threads int
}

// File is a parsed MatrixMarket coordinate file.
type File struct {
	Header Header
	// Values holds one matrix per value column of the entry lines, in file
	// order, each in the requested orientation with sorted, unique column
	// indices. Duplicated coordinates are summed (as scipy does when it
	// converts COO to CSR) and explicit zeros are not stored.
	Values []*array.CSR
}

// blockSize is how much text one parsing task gets. Lines are cut whole, so
// a block is at most this plus one line. Blocks start at minBlock and double,
// so small files do not pay for large buffers.
const (
	minBlock  = 64 << 10
	blockSize = 1 << 20
)

// maxLine bounds a single line so a file without newlines cannot make the
// reader buffer grow without limit.
const maxLine = 1 << 20

// Read reads a MatrixMarket coordinate file, gzip-compressed or not (found
// by its magic bytes, not its name).
func Read(path string, opts Options) (*File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return Decode(f, path, opts)
}

// ReadMatrix reads a file with exactly one value column and returns its
// matrix.
func ReadMatrix(path string, opts Options) (*array.CSR, error) {
	f, err := Read(path, opts)
	if err != nil {
		return nil, err
	}
	if len(f.Values) != 1 {
		return nil, fmt.Errorf("%s: entries have %d value columns, want 1", path, len(f.Values))
	}
	return f.Values[0], nil
}

// ReadHeader reads only the header of a file: banner, size line and the
// number of value columns of its first entry line.
func ReadHeader(path string) (Header, error) {
	f, err := os.Open(path)
	if err != nil {
		return Header{}, err
	}
	defer f.Close()
	return DecodeHeader(f, path)
}

// DecodeHeader is ReadHeader on an open stream; name is used in errors.
func DecodeHeader(r io.Reader, name string) (Header, error) {
	lr, err := newLineReader(r, name)
	if err != nil {
		return Header{}, err
	}
	h, err := readHeader(lr)
	if err != nil {
		return h, err
	}
	if h.Entries > 0 {
		first, _ := lr.r.Peek(maxLine)
		if nv, err := valueColumns(first); err == nil {
			h.ValueColumns = nv
		}
	}
	return h, nil
}

func newLineReader(r io.Reader, name string) (*lineReader, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		gz, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		br = bufio.NewReaderSize(gz, 64<<10)
	}
	return &lineReader{r: br, name: name}, nil
}

// Decode reads a MatrixMarket coordinate stream; name is used in errors.
//
// The text is cut into blocks at line boundaries, blocks are parsed on
// opts.Threads goroutines while the next ones are read (and decompressed),
// and the parsed blocks are merged in file order, so the result and the
// first error reported do not depend on scheduling.
func Decode(r io.Reader, name string, opts Options) (*File, error) {
	lr, err := newLineReader(r, name)
	if err != nil {
		return nil, err
	}
	h, err := readHeader(lr)
	if err != nil {
		return nil, err
	}
	p := &entryParser{name: name, nv: 1, integer: h.Field == "integer",
		rows: h.Rows, cols: h.Cols, transpose: opts.Transpose}
	if first, _ := lr.r.Peek(maxLine); len(first) > 0 {
		if nv, err := valueColumns(first); err == nil {
			p.nv = nv
		}
	}
	blocks, err := p.readBlocks(lr.r, lr.line+1, parallel.Threads(opts.Threads))
	if err != nil {
		return nil, err
	}
	var n int64
	for _, b := range blocks {
		n += int64(len(b.rows))
		if n > h.Entries {
			extra := len(b.rows) - int(n-h.Entries)
			return nil, fmt.Errorf("%s:%d: more entries than the %d the size line declares",
				name, b.entryLine(extra), h.Entries)
		}
	}
	if n < h.Entries {
		last := lr.line
		if k := len(blocks); k > 0 {
			last = blocks[k-1].lastLine
		}
		return nil, fmt.Errorf("%s:%d: file ends after %d of the %d entries the size line declares (truncated?)",
			name, last, n, h.Entries)
	}
	if n > 0 {
		h.ValueColumns = p.nv
	}
	outRows, outCols := h.Rows, h.Cols
	if opts.Transpose {
		outRows, outCols = outCols, outRows
	}
	vals := assemble(blocks, outRows, outCols, p.nv, h.Symmetry == "symmetric", opts.Threads)
	return &File{Header: h, Values: vals}, nil
}

// entryLine returns the file line of the k-th entry of b.
func (b *block) entryLine(k int) int {
	off := k
	for _, s := range b.skipped {
		if int(s) <= off {
			off++
		}
	}
	return b.firstLine + off
}

// readBlocks cuts the entry section into blocks and parses them on threads
// goroutines, returning them in file order or the earliest error.
func (p *entryParser) readBlocks(r io.Reader, firstLine, threads int) ([]*block, error) {
	work := make(chan *block, threads)
	var (
		mu     sync.Mutex
		done   []*block
		failed atomic.Bool
		wg     sync.WaitGroup
	)
	for w := 0; w < threads; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := range work {
				p.parse(b)
				if b.err != nil {
					failed.Store(true)
				}
				mu.Lock()
				done = append(done, b)
				mu.Unlock()
			}
		}()
	}
	readErr := p.cut(r, firstLine, work, &failed)
	close(work)
	wg.Wait()
	sort.Slice(done, func(i, j int) bool { return done[i].seq < done[j].seq })
	for _, b := range done {
		if b.err != nil {
			return nil, fmt.Errorf("%s:%d: %w", p.name, b.errLine, b.err)
		}
	}
	if readErr != nil {
		return nil, readErr
	}
	return done, nil
}

// cut reads r and sends complete-line blocks to work until EOF, a read
// error or a parse failure elsewhere.
func (p *entryParser) cut(r io.Reader, line int, work chan<- *block, failed *atomic.Bool) error {
	var carry []byte
	size := minBlock
	for seq := 0; !failed.Load(); seq++ {
		buf := make([]byte, len(carry)+size)
		size = min(2*size, blockSize)
		copy(buf, carry)
		n, err := fill(r, buf[len(carry):])
		buf = buf[:len(carry)+n]
		if err != nil && err != io.EOF {
			return fmt.Errorf("%s: reading after line %d: %w (file truncated or corrupt?)",
				p.name, line+bytes.Count(buf, []byte{'\n'}), err)
		}
		text := buf
		carry = nil
		if err == nil {
			cut := bytes.LastIndexByte(buf, '\n')
			if cut < 0 {
				if len(buf) >= maxLine {
					return fmt.Errorf("%s:%d: line longer than %d bytes", p.name, line, maxLine)
				}
				carry = buf
				continue
			}
			text, carry = buf[:cut+1], buf[cut+1:]
		}
		nl := bytes.Count(text, []byte{'\n'})
		last := line + nl - 1
		if len(text) > 0 && text[len(text)-1] != '\n' {
			last++
		}
		if len(text) > 0 {
			work <- &block{seq: seq, firstLine: line, lastLine: last, text: text}
		}
		line += nl
		if err == io.EOF {
			return nil
		}
	}
	return nil
}

// fill reads until buf is full (nil error), the stream ends (io.EOF, with
// n possibly > 0) or fails. Unlike io.ReadFull it keeps a truncated gzip
// stream's io.ErrUnexpectedEOF distinct from a clean end.
func fill(r io.Reader, buf []byte) (int, error) {
	n := 0
	for n < len(buf) {
		k, err := r.Read(buf[n:])
		n += k
		if err != nil {
			return n, err
		}
	}
	return n, nil
}
