package zarr

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"strconv"
)

// value returns element i as float64 (numbers and booleans).
func (a *zarray) value(i int) float64 {
	b := a.raw[i*a.size : (i+1)*a.size]
	switch a.kind {
	case 'f':
		if a.size == 4 {
			return float64(math.Float32frombits(binary.LittleEndian.Uint32(b)))
		}
		return math.Float64frombits(binary.LittleEndian.Uint64(b))
	case 'u', 'b':
		return float64(leUint(b))
	}
	return float64(a.int(i))
}

func leUint(b []byte) uint64 {
	var v uint64
	for k := len(b) - 1; k >= 0; k-- {
		v = v<<8 | uint64(b[k])
	}
	return v
}

// int returns integer element i, sign-extended for signed kinds.
func (a *zarray) int(i int) int64 {
	b := a.raw[i*a.size : (i+1)*a.size]
	v := leUint(b)
	if a.kind == 'i' {
		shift := 64 - 8*uint(a.size)
		return int64(v<<shift) >> shift
	}
	return int64(v)
}

func (a *zarray) numeric() bool { return a.kind == 'f' || a.kind == 'i' || a.kind == 'u' }

func (a *zarray) float32s() []float32 {
	out := make([]float32, a.len())
	for i := range out {
		out[i] = float32(a.value(i))
	}
	return out
}

func (a *zarray) float64s() []float64 {
	out := make([]float64, a.len())
	for i := range out {
		out[i] = a.value(i)
	}
	return out
}

func (a *zarray) int64s() []int64 {
	out := make([]int64, a.len())
	for i := range out {
		out[i] = a.int(i)
	}
	return out
}

// fixedString decodes element i of a 'U' (UTF-32) or 'S' (bytes) array,
// whose unused tail is NUL.
func (a *zarray) fixedString(i int) string {
	b := a.raw[i*a.size : (i+1)*a.size]
	if a.kind == 'S' {
		return string(bytes.TrimRight(b, "\x00"))
	}
	r := make([]rune, 0, len(b)/4)
	for k := 0; k+4 <= len(b); k += 4 {
		c := rune(binary.LittleEndian.Uint32(b[k:]))
		if c == 0 {
			break
		}
		r = append(r, c)
	}
	return string(r)
}

func (a *zarray) bools() []bool {
	out := make([]bool, a.len())
	for i := range out {
		out[i] = a.raw[i] != 0
	}
	return out
}

// strings returns string elements as they are, and numbers and booleans
// formatted as pandas prints them (an integer index or numeric categories).
func (a *zarray) strings() []string {
	if a.kind == 'O' {
		return a.strs
	}
	out := make([]string, a.len())
	for i := range out {
		switch a.kind {
		case 'U', 'S':
			out[i] = a.fixedString(i)
		case 'b':
			out[i] = "False"
			if a.raw[i] != 0 {
				out[i] = "True"
			}
		case 'f':
			out[i] = strconv.FormatFloat(a.value(i), 'g', -1, 64)
		default:
			out[i] = strconv.FormatInt(a.int(i), 10)
		}
	}
	return out
}

// typeName describes the element type for messages.
func (a *zarray) typeName() string {
	switch a.kind {
	case 'O', 'U', 'S':
		return "string"
	case 'b':
		return "bool"
	case 'f':
		return fmt.Sprintf("float%d", 8*a.size)
	case 'u':
		return fmt.Sprintf("uint%d", 8*a.size)
	}
	return fmt.Sprintf("int%d", 8*a.size)
}

// column converts a 1-D array to a data-frame column, keeping 32-bit and
// smaller numbers narrow as package h5ad does; uns (narrow false) widens
// them to int64 and float64.
func (a *zarray) column(narrow bool) any {
	switch a.kind {
	case 'O', 'U', 'S':
		return a.strings()
	case 'b':
		return a.bools()
	case 'f':
		if narrow && a.size == 4 {
			return a.float32s()
		}
		return a.float64s()
	}
	if narrow && (a.size < 4 || (a.size == 4 && a.kind == 'i')) {
		v := a.int64s()
		out := make([]int32, len(v))
		for i, x := range v {
			out[i] = int32(x)
		}
		return out
	}
	return a.int64s()
}
