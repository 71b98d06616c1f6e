package mtx

import (
	"bytes"
	"fmt"
	"math"
	"strconv"
)

// block is one piece of the entry section, cut at a line boundary, and what
// parsing it produced. Blocks are parsed independently and merged in order.
type block struct {
	seq       int
	firstLine int    // 1-based line number of text's first line
	lastLine  int    // line number of text's last line
	text      []byte // complete lines
	// Output: one (row, col) per entry already in output orientation
	// (0-based) and nv values per entry.
	rows, cols []int32
	vals       []float32
	skipped    []int32 // text line offsets of blank and comment lines
	err        error
	errLine    int
}

// entryParser holds what every block parser needs to know about the file.
type entryParser struct {
	name      string
	nv        int
	integer   bool
	rows      int // declared dims, in file orientation
	cols      int
	transpose bool
}

// parse fills b's output from b.text. On the first bad line it records the
// error and stops.
func (p *entryParser) parse(b *block) {
	data := b.text
	est := bytes.Count(data, []byte{'\n'}) + 1
	b.rows = make([]int32, 0, est)
	b.cols = make([]int32, 0, est)
	b.vals = make([]float32, 0, est*p.nv)
	for off := 0; len(data) > 0; off++ {
		line := data
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i], data[i+1:]
		} else {
			data = nil
		}
		if err := p.parseLine(line, b); err != nil {
			if err == errSkip {
				b.skipped = append(b.skipped, int32(off))
				continue
			}
			b.err, b.errLine = err, b.firstLine+off
			return
		}
	}
	b.text = nil
}

// errSkip marks blank and comment lines, which are ignored.
var errSkip = fmt.Errorf("skip")

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f' }

// field returns the bounds of the next whitespace-separated field at or
// after i, with start == end when there is none.
func field(line []byte, i int) (start, end int) {
	for i < len(line) && isSpace(line[i]) {
		i++
	}
	start = i
	for i < len(line) && !isSpace(line[i]) {
		i++
	}
	return start, i
}

func (p *entryParser) parseLine(line []byte, b *block) error {
	s, e := field(line, 0)
	if s == e || line[s] == '%' {
		return errSkip
	}
	r, err := parseIndex(line[s:e], p.rows, "row")
	if err != nil {
		return err
	}
	s, e = field(line, e)
	if s == e {
		return fmt.Errorf("entry %q has 1 field, want %d (row, column, %s)", trim(line), 2+p.nv, p.valueWords())
	}
	c, err := parseIndex(line[s:e], p.cols, "column")
	if err != nil {
		return err
	}
	n0 := len(b.vals)
	for k := 0; k < p.nv; k++ {
		s, e = field(line, e)
		if s == e {
			b.vals = b.vals[:n0]
			return fmt.Errorf("entry %q has %d fields, want %d (row, column, %s)", trim(line), 2+k, 2+p.nv, p.valueWords())
		}
		v, err := p.parseValue(line[s:e])
		if err != nil {
			b.vals = b.vals[:n0]
			return err
		}
		b.vals = append(b.vals, v)
	}
	if s, _ = field(line, e); s != len(line) {
		b.vals = b.vals[:n0]
		return fmt.Errorf("entry %q has more than %d fields (row, column, %s)", trim(line), 2+p.nv, p.valueWords())
	}
	if p.transpose {
		r, c = c, r
	}
	b.rows = append(b.rows, r)
	b.cols = append(b.cols, c)
	return nil
}

func (p *entryParser) valueWords() string {
	if p.nv == 1 {
		return "value"
	}
	return fmt.Sprintf("%d values", p.nv)
}

func trim(line []byte) []byte {
	line = bytes.TrimSpace(line)
	if len(line) > 80 {
		line = append(line[:77:77], "..."...)
	}
	return line
}

// parseIndex reads a 1-based index in [1, n] and returns it 0-based.
func parseIndex(f []byte, n int, what string) (int32, error) {
	var v int64
	for _, c := range f {
		if c < '0' || c > '9' {
			return 0, fmt.Errorf("%s index %q is not a positive integer", what, f)
		}
		v = v*10 + int64(c-'0')
		if v > math.MaxInt32 {
			return 0, fmt.Errorf("%s index %s is outside 1..%d", what, f, n)
		}
	}
	if v < 1 || v > int64(n) {
		if v == 0 {
			return 0, fmt.Errorf("%s index 0 is outside 1..%d (MatrixMarket indices start at 1)", what, n)
		}
		return 0, fmt.Errorf("%s index %d is outside 1..%d", what, v, n)
	}
	return int32(v - 1), nil
}

// pow10 holds the powers of ten that float64 represents exactly, for the
// fast decimal path (Clinger's algorithm: an exact mantissa divided by an
// exact power of ten is correctly rounded).
var pow10 = [...]float64{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
	1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

// parseValue reads one count. Values are parsed to the nearest float64 and
// then rounded to float32, the two roundings scipy.io.mmread (float64)
// followed by anndata's astype(float32) perform, so non-integer values get
// the same float32 bits as in Python.
func (p *entryParser) parseValue(f []byte) (float32, error) {
	// Fast path: [+]digits[.digits] with a mantissa below 2^53.
	var mant uint64
	digits, frac, i := 0, 0, 0
	if f[0] == '+' {
		i++
	}
	dot, seen := false, false
	for ; i < len(f); i++ {
		c := f[i]
		if c >= '0' && c <= '9' {
			if digits >= 19 {
				break
			}
			seen = true
			mant = mant*10 + uint64(c-'0')
			if mant != 0 || dot {
				digits++
			}
			if dot {
				frac++
			}
			continue
		}
		if c == '.' && !dot && !p.integer {
			dot = true
			continue
		}
		break
	}
	if i == len(f) && seen && mant < 1<<53 && frac < len(pow10) {
		v := float64(mant)
		if frac > 0 {
			v /= pow10[frac]
		}
		return toFloat32(v, f)
	}
	return p.parseSlow(f)
}

// parseSlow handles signs, exponents, long mantissas and the spellings of
// NaN and infinity through strconv, for error messages and exactness.
func (p *entryParser) parseSlow(f []byte) (float32, error) {
	v, err := strconv.ParseFloat(string(f), 64)
	if err != nil && !isRangeErr(err) {
		return 0, fmt.Errorf("value %q is not a number", f)
	}
	switch {
	case math.IsNaN(v):
		return 0, fmt.Errorf("value %q is NaN, not a count", f)
	case v < 0:
		return 0, fmt.Errorf("value %s is negative, not a count", f)
	case p.integer && v != math.Trunc(v):
		return 0, fmt.Errorf("value %s is not an integer, but the header declares an integer field", f)
	}
	return toFloat32(v, f)
}

func isRangeErr(err error) bool {
	ne, ok := err.(*strconv.NumError)
	return ok && ne.Err == strconv.ErrRange
}

func toFloat32(v float64, f []byte) (float32, error) {
	x := float32(v)
	if math.IsInf(float64(x), 0) {
		return 0, fmt.Errorf("value %s does not fit in float32", f)
	}
	return x, nil
}
