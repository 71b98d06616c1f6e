package hdf5

import (
	"math/rand/v2"
	"os"
	"strings"
	"testing"
)

// A damaged deflate chunk is an error with libdeflate and with zlib alike,
// never silently wrong values.
func TestCorruptChunk(t *testing.T) {
	defer func() { fastInflate = true }()
	data := make([]int64, 50000) // one 400 kB chunk: most of the file
	r := rand.New(rand.NewPCG(8, 9))
	for i := range data {
		data[i] = r.Int64N(1000)
	}
	path := create(t, func(root *Group) {
		must[*Dataset](t)(WriteNumeric(root, "v", data, nil, Layout{Gzip: 1, Chunk: []int{len(data)}})).Close()
	})
	b := must[[]byte](t)(os.ReadFile(path))
	b[len(b)/2] ^= 0x5a
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, fast := range []bool{true, false} {
		fastInflate = fast
		d := must[*Dataset](t)(open(t, path).OpenDataset("v"))
		_, err := ReadNumeric[int64](d)
		if err == nil || !strings.Contains(err.Error(), "/v: chunk 0: corrupt compressed data") {
			t.Errorf("fast=%v: error = %v, want corrupt compressed data", fast, err)
		}
		d.Close()
	}
}
