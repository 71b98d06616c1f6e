package h5ad

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/velo-rna/velo/internal/hdf5"
)

// FuzzDecode writes h5ad files whose encoded structures are chosen by the
// fuzzer — sparse matrices with arbitrary shape attributes, pointers,
// indices and values, categorical codes, index lengths, encoding names —
// and checks that Read never panics and that whatever it accepts is a valid
// AnnData of the declared shape. libhdf5 parses the container's bytes, so
// the fuzzer targets the anndata encoding layer that velo decodes itself.
func FuzzDecode(f *testing.F) {
	f.Add(uint8(3), uint8(2), uint64(1), uint32(0))
	f.Add(uint8(0), uint8(0), uint64(2), uint32(0xffffffff))
	f.Add(uint8(5), uint8(7), uint64(3), uint32(1<<4|1<<9))
	f.Add(uint8(9), uint8(1), uint64(4), uint32(1<<2|1<<7))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, cells, genes uint8, seed uint64, flags uint32) {
		n, g := int(cells%30), int(genes%20)
		rng := rand.New(rand.NewPCG(seed, uint64(flags)))
		flag := func(k int) bool { return flags&(1<<k) != 0 }
		path := filepath.Join(dir, fmt.Sprintf("f%d.h5ad", rng.Uint64()))
		defer os.Remove(path)
		writeFuzzFile(t, path, n, g, rng, flag)
		a, err := Read(path)
		if err != nil {
			return
		}
		if err := a.Validate(); err != nil {
			t.Fatalf("accepted an invalid AnnData: %v", err)
		}
		if a.NObs() != n || a.NVars() != g {
			t.Fatalf("shape %d×%d, file declares %d×%d", a.NObs(), a.NVars(), n, g)
		}
	})
}

func writeFuzzFile(t *testing.T, path string, n, g int, rng *rand.Rand, flag func(int) bool) {
	t.Helper()
	f, err := hdf5.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	root, err := f.Root()
	if err != nil {
		t.Fatal(err)
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(root.SetAttrString("encoding-type", "anndata"))
	must(root.SetAttrString("encoding-version", "0.1.0"))
	frame := func(name string, rows int, extra func(*hdf5.Group)) {
		grp, err := root.CreateGroup(name)
		must(err)
		must(grp.SetAttrString("encoding-type", "dataframe"))
		must(grp.SetAttrString("encoding-version", "0.2.0"))
		must(grp.SetAttrString("_index", "_index"))
		idx := make([]string, rows)
		for i := range idx {
			idx[i] = fmt.Sprintf("%s%d", name, i)
		}
		if flag(0) && rows > 1 {
			idx[1] = idx[0] // duplicate names
		}
		if flag(1) {
			idx = append(idx, "extra") // index longer than the matrix
		}
		_, err = grp.WriteStrings("_index", idx, hdf5.Layout{})
		must(err)
		cols := []string{}
		if extra != nil {
			extra(grp)
			cols = append(cols, "clusters")
		}
		must(grp.SetAttrStrings("column-order", cols))
	}
	frame("obs", n, func(grp *hdf5.Group) {
		cat, err := grp.CreateGroup("clusters")
		must(err)
		must(cat.SetAttrString("encoding-type", "categorical"))
		must(cat.SetAttrString("encoding-version", "0.2.0"))
		must(cat.SetAttrBool("ordered", flag(2)))
		codes := make([]int8, n)
		for i := range codes {
			codes[i] = int8(rng.IntN(5) - 1) // −1 … 3 with 3 categories: some out of range
		}
		_, err = hdf5.WriteNumeric(cat, "codes", codes, nil, hdf5.Layout{})
		must(err)
		_, err = cat.WriteStrings("categories", []string{"A", "B", "C"}, hdf5.Layout{})
		must(err)
	})
	frame("var", g, nil)

	x, err := root.CreateGroup("X")
	must(err)
	enc := "csr_matrix"
	if flag(3) {
		enc = "csc_matrix"
	}
	if flag(4) {
		enc = "coo_matrix" // not an anndata encoding
	}
	must(x.SetAttrString("encoding-type", enc))
	must(x.SetAttrString("encoding-version", "0.1.0"))
	shape := []int64{int64(n), int64(g)}
	if flag(5) {
		shape[rng.IntN(2)] += int64(rng.IntN(3)) - 1
	}
	must(x.SetAttrInt64s("shape", shape))
	major, minor := n, g
	if enc == "csc_matrix" {
		major, minor = g, n
	}
	indptr := make([]int64, major+1)
	var indices []int64
	var data []float32
	for i := 0; i < major; i++ {
		for j := 0; j < minor; j++ {
			if rng.IntN(3) == 0 {
				indices = append(indices, int64(j))
				data = append(data, float32(rng.IntN(5)))
			}
		}
		indptr[i+1] = int64(len(indices))
	}
	if flag(6) && len(indices) > 0 {
		indices[rng.IntN(len(indices))] = int64(rng.IntN(3*minor+3)) - int64(minor) // out of range or unsorted
	}
	if flag(7) && major > 0 {
		indptr[1+rng.IntN(major)] += int64(rng.IntN(5)) - 2 // broken pointers
	}
	if flag(8) {
		indptr = indptr[:len(indptr)/2] // too short
	}
	if flag(9) && len(data) > 0 {
		data[rng.IntN(len(data))] = float32(math.NaN())
	}
	if flag(10) && len(indices) > 0 {
		indices = indices[:len(indices)-1] // fewer indices than values
	}
	_, err = hdf5.WriteNumeric(x, "indptr", indptr, nil, hdf5.Layout{})
	must(err)
	if flag(11) {
		narrow := make([]int32, len(indices))
		for i, v := range indices {
			narrow[i] = int32(v)
		}
		_, err = hdf5.WriteNumeric(x, "indices", narrow, nil, hdf5.Layout{})
	} else {
		_, err = hdf5.WriteNumeric(x, "indices", indices, nil, hdf5.Layout{})
	}
	must(err)
	if !flag(12) {
		_, err = hdf5.WriteNumeric(x, "data", data, nil, hdf5.Layout{})
		must(err)
	}
}
