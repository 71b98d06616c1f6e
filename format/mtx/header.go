package mtx

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// Header is what a MatrixMarket coordinate file declares before its entries.
type Header struct {
	// Field is "integer" or "real" ("double" is read as "real").
	Field string
	// Symmetry is "general" or "symmetric".
	Symmetry string
	// Rows, Cols and Entries come from the size line, as stored in the file
	// (before any transpose).
	Rows, Cols int
	Entries    int64
	// ValueColumns is the number of values per entry line: 1 normally, 3 in
	// the matrix.mtx that STAR < 2.7.9a writes for --soloFeatures Velocyto
	// (spliced, unspliced, ambiguous). It is taken from the first entry line
	// and is 0 when the file has no entries.
	ValueColumns int
}

// maxDim bounds declared dimensions: AnnData stores column indices as int32
// and velo does the same for row positions.
const maxDim = math.MaxInt32

// lineReader reads the header section line by line, counting lines so
// errors can name them.
type lineReader struct {
	r    *bufio.Reader
	name string
	line int
}

// next returns the next line without its terminator, or io.EOF.
func (l *lineReader) next() ([]byte, error) {
	b, err := l.r.ReadSlice('\n')
	if err == bufio.ErrBufferFull {
		// Header lines are short; a huge one is not a MatrixMarket header.
		l.line++
		return nil, l.errorf("line longer than %d bytes", l.r.Size())
	}
	if err != nil && (err != io.EOF || len(b) == 0) {
		if err == io.EOF {
			return nil, io.EOF
		}
		return nil, l.errorf("%v", err)
	}
	l.line++
	return bytes.TrimRight(b, "\r\n"), nil
}

func (l *lineReader) errorf(format string, args ...any) error {
	return fmt.Errorf("%s:%d: %s", l.name, l.line, fmt.Sprintf(format, args...))
}

// readHeader parses the banner, comments and size line, leaving r at the
// first entry line.
func readHeader(l *lineReader) (Header, error) {
	var h Header
	banner, err := l.next()
	if err == io.EOF {
		return h, fmt.Errorf("%s: empty file, not a MatrixMarket file", l.name)
	}
	if err != nil {
		return h, err
	}
	f := strings.Fields(strings.ToLower(string(banner)))
	if len(f) == 0 || f[0] != "%%matrixmarket" {
		return h, l.errorf("missing %%%%MatrixMarket banner: not a MatrixMarket file")
	}
	if len(f) != 5 {
		return h, l.errorf("banner has %d words, want 5 (%%%%MatrixMarket matrix coordinate <field> <symmetry>)", len(f))
	}
	if f[1] != "matrix" {
		return h, l.errorf("object %q is not supported (want matrix)", f[1])
	}
	if f[2] != "coordinate" {
		return h, l.errorf("format %q is not supported (want coordinate, the sparse layout count matrices use)", f[2])
	}
	switch f[3] {
	case "integer":
		h.Field = "integer"
	case "real", "double":
		h.Field = "real"
	default:
		return h, l.errorf("field %q is not supported (want integer or real counts)", f[3])
	}
	switch f[4] {
	case "general", "symmetric":
		h.Symmetry = f[4]
	default:
		return h, l.errorf("symmetry %q is not supported (want general or symmetric)", f[4])
	}
	for {
		b, err := l.next()
		if err == io.EOF {
			return h, fmt.Errorf("%s:%d: file ends before the size line (truncated?)", l.name, l.line)
		}
		if err != nil {
			return h, err
		}
		t := bytes.TrimSpace(b)
		if len(t) == 0 || t[0] == '%' {
			continue
		}
		return h, parseSizeLine(l, t, &h)
	}
}

func parseSizeLine(l *lineReader, t []byte, h *Header) error {
	f := strings.Fields(string(t))
	if len(f) != 3 {
		return l.errorf("size line %q has %d numbers, want 3 (rows cols entries)", t, len(f))
	}
	var v [3]int64
	for k, s := range f {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 0 {
			return l.errorf("size line %q: %q is not a non-negative integer", t, s)
		}
		v[k] = n
	}
	if v[0] > maxDim || v[1] > maxDim {
		return l.errorf("size line declares %d×%d, larger than the %d supported per dimension", v[0], v[1], maxDim)
	}
	h.Rows, h.Cols, h.Entries = int(v[0]), int(v[1]), v[2]
	if h.Symmetry == "symmetric" && h.Rows != h.Cols {
		return l.errorf("symmetric matrix must be square, size line declares %d×%d", h.Rows, h.Cols)
	}
	if h.Rows == 0 || h.Cols == 0 {
		if h.Entries > 0 {
			return l.errorf("size line declares %d entries in an empty %d×%d matrix", h.Entries, h.Rows, h.Cols)
		}
	}
	return nil
}

// errNoEntries distinguishes "no entry line" from a read error.
var errNoEntries = errors.New("no entries")

// valueColumns counts the fields of the first entry line in data (which
// starts at an entry-section line boundary) minus the two indices.
func valueColumns(data []byte) (int, error) {
	for len(data) > 0 {
		line := data
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i], data[i+1:]
		} else {
			data = nil
		}
		line = bytes.TrimSpace(line)
		if len(line) == 0 || line[0] == '%' {
			continue
		}
		n := len(bytes.Fields(line))
		if n < 3 {
			return 0, fmt.Errorf("entry %q has %d fields, want row, column and at least one value", line, n)
		}
		return n - 2, nil
	}
	return 0, errNoEntries
}
