package zarr

import (
	"bytes"
	"compress/gzip"
	"compress/zlib"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"strconv"
	"strings"
)

// arrayMeta is the content of a .zarray file.
type arrayMeta struct {
	ZarrFormat int             `json:"zarr_format"`
	Shape      []int           `json:"shape"`
	Chunks     []int           `json:"chunks"`
	Dtype      json.RawMessage `json:"dtype"`
	Compressor *codecMeta      `json:"compressor"`
	FillValue  json.RawMessage `json:"fill_value"`
	Filters    []codecMeta     `json:"filters"`
	Order      string          `json:"order"`
	Separator  string          `json:"dimension_separator"`
}

// codecMeta describes a compressor or filter.
type codecMeta struct {
	ID string `json:"id"`
}

// zarray is a whole array read into memory: numbers as little-endian bytes
// in C order, or strings.
type zarray struct {
	shape []int
	kind  byte // numpy kind: 'f', 'i', 'u', 'b', 'O' (vlen-utf8), 'U' or 'S'
	size  int  // bytes per element
	swap  bool // chunks are big-endian
	raw   []byte
	strs  []string
}

// len is the number of elements (1 for a scalar).
func (a *zarray) len() int { return product(a.shape) }

func product(x []int) int {
	n := 1
	for _, v := range x {
		n *= v
	}
	return n
}

// maxElements bounds what one array may claim, so that a damaged .zarray
// gives an error and not an allocation failure.
const maxElements = 1 << 34

// readArray reads the array at elem, all chunks.
func (s store) readArray(elem string) (*zarray, error) {
	b, err := os.ReadFile(s.file(elem, fileArray))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%s: not an array (%s is missing)", elem, fileArray)
	}
	if err != nil {
		return nil, err
	}
	var m arrayMeta
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("%s/%s: %v", elem, fileArray, err)
	}
	a, err := m.check(elem)
	if err != nil {
		return nil, err
	}
	fill, err := m.fill(a)
	if err != nil {
		return nil, fmt.Errorf("%s: fill_value: %v", elem, err)
	}
	n := a.len()
	if a.kind == 'O' {
		a.strs = make([]string, n)
	} else {
		a.raw = make([]byte, n*a.size)
		if !isZero(fill) {
			for i := 0; i < n; i++ {
				copy(a.raw[i*a.size:], fill)
			}
		}
	}
	if n == 0 {
		return a, nil
	}
	grid := make([]int, len(a.shape))
	for d := range grid {
		grid[d] = (a.shape[d] + m.Chunks[d] - 1) / m.Chunks[d]
	}
	sep := m.Separator
	if sep == "" {
		sep = "."
	}
	idx := make([]int, len(grid))
	for {
		if err := s.readChunk(elem, &m, a, idx, sep); err != nil {
			return nil, err
		}
		d := len(idx) - 1
		for ; d >= 0; d-- {
			if idx[d]++; idx[d] < grid[d] {
				break
			}
			idx[d] = 0
		}
		if d < 0 {
			return a, nil
		}
	}
}

// check validates the metadata and returns the empty array it describes.
func (m *arrayMeta) check(elem string) (*zarray, error) {
	if m.ZarrFormat != 2 {
		return nil, fmt.Errorf("%s: zarr_format is %d; only zarr v2 is read", elem, m.ZarrFormat)
	}
	if len(m.Chunks) != len(m.Shape) {
		return nil, fmt.Errorf("%s: chunks %v do not match shape %v", elem, m.Chunks, m.Shape)
	}
	total := 1
	for d := range m.Shape {
		if m.Shape[d] < 0 || m.Chunks[d] <= 0 {
			return nil, fmt.Errorf("%s: invalid shape %v or chunks %v", elem, m.Shape, m.Chunks)
		}
		if total *= max(m.Shape[d], m.Chunks[d]); total > maxElements {
			return nil, fmt.Errorf("%s: shape %v with chunks %v is too large", elem, m.Shape, m.Chunks)
		}
	}
	// Fortran order matters only with more than one axis longer than 1.
	if m.Order != "C" && countAbove1(m.Shape) > 1 {
		return nil, fmt.Errorf("%s: order %q is not supported (only C)", elem, m.Order)
	}
	var dtype string
	if err := json.Unmarshal(m.Dtype, &dtype); err != nil {
		return nil, fmt.Errorf("%s: structured dtype %s is not supported", elem, m.Dtype)
	}
	a := &zarray{shape: m.Shape}
	if dtype == "|O" {
		if len(m.Filters) != 1 || m.Filters[0].ID != "vlen-utf8" {
			return nil, fmt.Errorf("%s: object arrays are read only with the vlen-utf8 filter", elem)
		}
		a.kind = 'O'
		return a, nil
	}
	if len(m.Filters) != 0 {
		return nil, fmt.Errorf("%s: filter %q is not supported", elem, m.Filters[0].ID)
	}
	if len(dtype) < 3 || !strings.ContainsRune("<>|", rune(dtype[0])) || !strings.ContainsRune("fiubUS", rune(dtype[1])) {
		return nil, fmt.Errorf("%s: dtype %q is not supported", elem, dtype)
	}
	size, err := strconv.Atoi(dtype[2:])
	ok := err == nil
	switch dtype[1] {
	case 'f':
		ok = ok && (size == 4 || size == 8)
	case 'b':
		ok = ok && size == 1
	case 'U':
		// Fixed-width unicode is UTF-32, four bytes a character.
		ok = ok && size > 0 && size < 1<<20
		size *= 4
	case 'S':
		ok = ok && size > 0 && size < 1<<20
	default:
		ok = ok && (size == 1 || size == 2 || size == 4 || size == 8)
	}
	if !ok {
		return nil, fmt.Errorf("%s: dtype %q is not supported", elem, dtype)
	}
	a.kind, a.size, a.swap = dtype[1], size, dtype[0] == '>' && dtype[1] != 'S'
	return a, nil
}

func countAbove1(shape []int) int {
	n := 0
	for _, v := range shape {
		if v > 1 {
			n++
		}
	}
	return n
}

// fill returns fill_value as the element's little-endian bytes.
func (m *arrayMeta) fill(a *zarray) ([]byte, error) {
	out := make([]byte, a.size)
	if a.kind == 'O' || a.kind == 'U' || a.kind == 'S' || len(m.FillValue) == 0 || string(m.FillValue) == "null" {
		return out, nil
	}
	var v any
	if err := json.Unmarshal(m.FillValue, &v); err != nil {
		return nil, err
	}
	var f float64
	switch x := v.(type) {
	case bool:
		if x {
			f = 1
		}
	case float64:
		f = x
	case string:
		switch x {
		case "NaN":
			f = math.NaN()
		case "Infinity":
			f = math.Inf(1)
		case "-Infinity":
			f = math.Inf(-1)
		default:
			return nil, fmt.Errorf("%q is not a number", x)
		}
	default:
		return nil, fmt.Errorf("%s is not a number", m.FillValue)
	}
	var le []byte
	switch {
	case a.kind == 'f' && a.size == 4:
		le = binary.LittleEndian.AppendUint32(nil, math.Float32bits(float32(f)))
	case a.kind == 'f':
		le = binary.LittleEndian.AppendUint64(nil, math.Float64bits(f))
	default:
		le = binary.LittleEndian.AppendUint64(nil, uint64(int64(f)))[:a.size]
	}
	copy(out, le)
	return out, nil
}

func isZero(b []byte) bool {
	for _, v := range b {
		if v != 0 {
			return false
		}
	}
	return true
}

func reverse(b []byte) {
	for i, j := 0, len(b)-1; i < j; i, j = i+1, j-1 {
		b[i], b[j] = b[j], b[i]
	}
}

// readChunk decodes the chunk at grid position idx into a. A missing chunk
// file keeps the fill value, as zarr does.
func (s store) readChunk(elem string, m *arrayMeta, a *zarray, idx []int, sep string) error {
	key := "0"
	if len(idx) > 0 {
		parts := make([]string, len(idx))
		for d, i := range idx {
			parts[d] = strconv.Itoa(i)
		}
		key = strings.Join(parts, sep)
	}
	label := elem + "/" + key
	b, err := os.ReadFile(s.file(elem, key))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if b, err = decompress(m.Compressor, b); err != nil {
		return fmt.Errorf("chunk %s: %v", label, err)
	}
	n := product(m.Chunks)
	if a.kind == 'O' {
		strs, err := decodeVlenUTF8(b, n)
		if err != nil {
			return fmt.Errorf("chunk %s: %v", label, err)
		}
		scatter(a.shape, m.Chunks, idx, func(dst, src, count int) {
			copy(a.strs[dst:dst+count], strs[src:src+count])
		})
		return nil
	}
	if len(b) != n*a.size {
		return fmt.Errorf("chunk %s holds %d bytes, want %d (%d elements of %d bytes)", label, len(b), n*a.size, n, a.size)
	}
	if a.swap {
		unit := a.size
		if a.kind == 'U' {
			unit = 4
		}
		for i := 0; i < len(b)/unit; i++ {
			reverse(b[i*unit : (i+1)*unit])
		}
	}
	sz := a.size
	scatter(a.shape, m.Chunks, idx, func(dst, src, count int) {
		copy(a.raw[dst*sz:(dst+count)*sz], b[src*sz:(src+count)*sz])
	})
	return nil
}

// scatter calls put for each contiguous run of a C-order chunk at grid
// position idx that lies inside an array of the given shape, with the run's
// element offsets in the array and in the chunk.
func scatter(shape, chunks, idx []int, put func(dst, src, count int)) {
	nd := len(shape)
	if nd == 0 {
		put(0, 0, 1)
		return
	}
	origin := make([]int, nd)
	extent := make([]int, nd)
	for d := range shape {
		origin[d] = idx[d] * chunks[d]
		extent[d] = min(chunks[d], shape[d]-origin[d])
	}
	pos := make([]int, nd-1) // position within the chunk over all but the last axis
	for {
		dst, src := 0, 0
		for d := 0; d < nd; d++ {
			p := 0
			if d < nd-1 {
				p = pos[d]
			}
			dst = dst*shape[d] + origin[d] + p
			src = src*chunks[d] + p
		}
		put(dst, src, extent[nd-1])
		d := nd - 2
		for ; d >= 0; d-- {
			if pos[d]++; pos[d] < extent[d] {
				break
			}
			pos[d] = 0
		}
		if d < 0 {
			return
		}
	}
}

// decompress undoes a chunk's compressor.
func decompress(c *codecMeta, b []byte) ([]byte, error) {
	if c == nil {
		return b, nil
	}
	switch c.ID {
	case "blosc":
		return decodeBlosc(b)
	case "zlib":
		z, err := zlib.NewReader(bytes.NewReader(b))
		if err != nil {
			return nil, fmt.Errorf("zlib: %v", err)
		}
		return readAllChecked(z, "zlib")
	case "gzip":
		z, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			return nil, fmt.Errorf("gzip: %v", err)
		}
		return readAllChecked(z, "gzip")
	}
	return nil, fmt.Errorf("compressor %q is not supported (blosc, zlib and gzip are)", c.ID)
}

func readAllChecked(r io.Reader, name string) ([]byte, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	return b, nil
}

// decodeVlenUTF8 parses numcodecs' vlen-utf8 encoding: a 32-bit count, then
// each item as a 32-bit length and its bytes.
func decodeVlenUTF8(b []byte, want int) ([]string, error) {
	if len(b) < 4 {
		return nil, errors.New("vlen-utf8: missing item count")
	}
	n := int(binary.LittleEndian.Uint32(b))
	if n != want {
		return nil, fmt.Errorf("vlen-utf8: %d items, want %d", n, want)
	}
	out := make([]string, n)
	pos := 4
	for i := range out {
		if pos+4 > len(b) {
			return nil, fmt.Errorf("vlen-utf8: item %d is cut off", i)
		}
		l := int(binary.LittleEndian.Uint32(b[pos:]))
		pos += 4
		if l > len(b)-pos {
			return nil, fmt.Errorf("vlen-utf8: item %d claims %d bytes but %d remain", i, l, len(b)-pos)
		}
		out[i] = string(b[pos : pos+l])
		pos += l
	}
	return out, nil
}
