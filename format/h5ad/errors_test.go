package h5ad

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/velo-rna/velo/internal/hdf5"
)

// raw writes an HDF5 file by hand, for layouts Write never produces.
func raw(t *testing.T, fill func(t *testing.T, root *hdf5.Group)) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "bad.h5ad")
	f, err := hdf5.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	root, err := f.Root()
	if err != nil {
		t.Fatal(err)
	}
	fill(t, root)
	root.Close()
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

func check(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func closeDataset(t *testing.T) func(d *hdf5.Dataset, err error) {
	return func(d *hdf5.Dataset, err error) {
		t.Helper()
		check(t, err)
		d.Close()
	}
}

// group creates a group with an encoding, closed at the end of the test.
func group(t *testing.T, parent *hdf5.Group, name, enc string) *hdf5.Group {
	t.Helper()
	g, err := parent.CreateGroup(name)
	check(t, err)
	t.Cleanup(func() { g.Close() })
	if enc != "" {
		check(t, setEncoding(g, enc))
	}
	return g
}

// frame writes a dataframe group with the given index and no columns.
func frame(t *testing.T, root *hdf5.Group, name string, index []string) *hdf5.Group {
	g := group(t, root, name, encDataFrame)
	check(t, g.SetAttrString("_index", "_index"))
	check(t, g.SetAttrStrings("column-order", nil))
	closeDataset(t)(g.WriteStrings("_index", index, hdf5.Layout{}))
	return g
}

// sparse writes a csr_matrix group from its parts.
func sparse[I, P hdf5.Number](t *testing.T, parent *hdf5.Group, name string, shape []int64, indptr []P, indices []I, data []float32) {
	g := group(t, parent, name, encCSR)
	if shape != nil {
		check(t, g.SetAttrInt64s("shape", shape))
	}
	closeDataset(t)(hdf5.WriteNumeric(g, "data", data, nil, hdf5.Layout{}))
	if indices != nil {
		closeDataset(t)(hdf5.WriteNumeric(g, "indices", indices, nil, hdf5.Layout{}))
	}
	closeDataset(t)(hdf5.WriteNumeric(g, "indptr", indptr, nil, hdf5.Layout{}))
}

// cells3genes2 writes obs (3 cells) and var (2 genes).
func cells3genes2(t *testing.T, root *hdf5.Group) (obs, vars *hdf5.Group) {
	return frame(t, root, "obs", []string{"a", "b", "c"}), frame(t, root, "var", []string{"g", "h"})
}

func denseX(t *testing.T, root *hdf5.Group, name string, rows, cols int) {
	closeDataset(t)(hdf5.WriteNumeric(root, name, make([]float32, rows*cols), []int{rows, cols}, hdf5.Layout{}))
}

func TestReadErrors(t *testing.T) {
	dir := t.TempDir()
	text := filepath.Join(dir, "x.h5ad")
	check(t, os.WriteFile(text, []byte(strings.Repeat("cell,gene,count\n", 100)), 0o644))

	good := filepath.Join(dir, "good.h5ad")
	big := full()
	big.Uns["padding"] = make([]float64, 100000) // so that half the file cuts into data
	check(t, Write(good, big))
	content, err := os.ReadFile(good)
	check(t, err)
	truncated := filepath.Join(dir, "truncated.h5ad")
	check(t, os.WriteFile(truncated, content[:len(content)/2], 0o644))

	tests := []struct {
		name string
		path func(t *testing.T) string
		want string
	}{
		{"text file", func(*testing.T) string { return text }, "not an HDF5 file"},
		{"truncated", func(*testing.T) string { return truncated }, "file is truncated"},
		{"no obs", func(t *testing.T) string {
			return raw(t, func(t *testing.T, root *hdf5.Group) { frame(t, root, "var", []string{"g"}) })
		}, "not an AnnData file: obs is missing"},
		{"loom", func(t *testing.T) string {
			return raw(t, func(t *testing.T, root *hdf5.Group) {
				denseX(t, root, "matrix", 2, 2)
				group(t, root, "row_attrs", "")
			})
		}, "this is a loom file, not an h5ad file"},
		{"X shape", func(t *testing.T) string {
			return raw(t, func(t *testing.T, root *hdf5.Group) { cells3genes2(t, root); denseX(t, root, "X", 3, 3) })
		}, "X is 3×3 but obs×var is 3×2"},
		{"layer shape", func(t *testing.T) string {
			return raw(t, func(t *testing.T, root *hdf5.Group) {
				cells3genes2(t, root)
				denseX(t, root, "X", 3, 2)
				denseX(t, group(t, root, "layers", encDict), "spliced", 3, 3)
			})
		}, "layers/spliced is 3×3 but X is 3×2"},
		{"layer shape without X", func(t *testing.T) string {
			return raw(t, func(t *testing.T, root *hdf5.Group) {
				cells3genes2(t, root)
				denseX(t, group(t, root, "layers", encDict), "unspliced", 2, 2)
			})
		}, "layers/unspliced is 2×2 but obs×var is 3×2"},
		{"negative index", func(t *testing.T) string {
			return raw(t, func(t *testing.T, root *hdf5.Group) {
				cells3genes2(t, root)
				sparse(t, root, "X", []int64{3, 2}, []int32{0, 1, 1, 1}, []int32{-1}, []float32{1})
			})
		}, "X: row 0 has column index -1 outside [0, 2)"},
		{"index out of range", func(t *testing.T) string {
			return raw(t, func(t *testing.T, root *hdf5.Group) {
				cells3genes2(t, root)
				sparse(t, root, "X", []int64{3, 2}, []int64{0, 0, 0, 1}, []int32{2}, []float32{1})
			})
		}, "X: row 2 has column index 2 outside [0, 2)"},
		{"int64 index that would wrap", func(t *testing.T) string {
			return raw(t, func(t *testing.T, root *hdf5.Group) {
				cells3genes2(t, root)
				sparse(t, root, "X", []int64{3, 2}, []int64{0, 1, 1, 1}, []int64{1 << 32}, []float32{1})
			})
		}, "X/indices[0] = 4294967296 is outside [0, 2)"},
		{"csc row index out of range", func(t *testing.T) string {
			return raw(t, func(t *testing.T, root *hdf5.Group) {
				cells3genes2(t, root)
				sparse(t, root, "X", []int64{3, 2}, []int32{0, 1, 1}, []int32{3}, []float32{1})
				g, err := root.OpenGroup("X")
				check(t, err)
				defer g.Close()
				check(t, setEncoding(g, encCSR))
				check(t, g.SetAttrString(attrType, encCSC))
			})
		}, "X: column 0 has row index 3 outside [0, 3)"},
		{"short indptr", func(t *testing.T) string {
			return raw(t, func(t *testing.T, root *hdf5.Group) {
				cells3genes2(t, root)
				sparse(t, root, "X", []int64{3, 2}, []int32{0, 1, 1}, []int32{0}, []float32{1})
			})
		}, "X: indptr has 3 entries, want 4 (rows + 1)"},
		{"decreasing indptr", func(t *testing.T) string {
			return raw(t, func(t *testing.T, root *hdf5.Group) {
				cells3genes2(t, root)
				sparse(t, root, "X", []int64{3, 2}, []int32{0, 1, 0, 1}, []int32{0}, []float32{1})
			})
		}, "X: indptr decreases at row 1"},
		{"repeated index", func(t *testing.T) string {
			return raw(t, func(t *testing.T, root *hdf5.Group) {
				cells3genes2(t, root)
				sparse(t, root, "X", []int64{3, 2}, []int32{0, 2, 2, 2}, []int32{1, 1}, []float32{1, 2})
			})
		}, "X: row 0 has unsorted or repeated column index 1"},
		{"missing indices", func(t *testing.T) string {
			return raw(t, func(t *testing.T, root *hdf5.Group) {
				cells3genes2(t, root)
				sparse[int32](t, root, "X", []int64{3, 2}, []int32{0, 0, 0, 0}, nil, nil)
			})
		}, "X/indices is missing"},
		{"missing shape", func(t *testing.T) string {
			return raw(t, func(t *testing.T, root *hdf5.Group) {
				cells3genes2(t, root)
				sparse(t, root, "X", nil, []int32{0, 0, 0, 0}, []int32{}, nil)
			})
		}, "X has no readable shape"},
		{"not a matrix", func(t *testing.T) string {
			return raw(t, func(t *testing.T, root *hdf5.Group) {
				cells3genes2(t, root)
				frame(t, root, "X", []string{"a"})
			})
		}, `X is a group of kind "dataframe", not a matrix`},
		{"duplicate obs names", func(t *testing.T) string {
			return raw(t, func(t *testing.T, root *hdf5.Group) {
				frame(t, root, "obs", []string{"a", "b", "a"})
				frame(t, root, "var", []string{"g"})
			})
		}, `obs: duplicate name "a" (rows 0 and 2)`},
		{"short column", func(t *testing.T) string {
			return raw(t, func(t *testing.T, root *hdf5.Group) {
				obs, _ := cells3genes2(t, root)
				check(t, obs.SetAttrStrings("column-order", []string{"n"}))
				closeDataset(t)(hdf5.WriteNumeric(obs, "n", []float64{1, 2}, nil, hdf5.Layout{}))
			})
		}, "obs/n has 2 rows but obs has 3"},
		{"missing column", func(t *testing.T) string {
			return raw(t, func(t *testing.T, root *hdf5.Group) {
				obs, _ := cells3genes2(t, root)
				check(t, obs.SetAttrStrings("column-order", []string{"clusters"}))
			})
		}, `obs: column "clusters" listed in column-order is missing`},
		{"category code out of range", func(t *testing.T) string {
			return raw(t, func(t *testing.T, root *hdf5.Group) {
				obs, _ := cells3genes2(t, root)
				check(t, obs.SetAttrStrings("column-order", []string{"c"}))
				c := group(t, obs, "c", encCategorical)
				closeDataset(t)(hdf5.WriteNumeric(c, "codes", []int8{7, 0, -1}, nil, hdf5.Layout{}))
				closeDataset(t)(c.WriteStrings("categories", []string{"x", "y"}, hdf5.Layout{}))
			})
		}, `obs: column "c" row 0 has category code 7 outside [-1, 2)`},
		{"obsm rows", func(t *testing.T) string {
			return raw(t, func(t *testing.T, root *hdf5.Group) {
				cells3genes2(t, root)
				denseX(t, group(t, root, "obsm", encDict), "X_pca", 2, 5)
			})
		}, "obsm/X_pca has 2 rows but obs has 3"},
		{"obsp shape", func(t *testing.T) string {
			return raw(t, func(t *testing.T, root *hdf5.Group) {
				cells3genes2(t, root)
				sparse(t, group(t, root, "obsp", encDict), "distances", []int64{3, 2}, []int32{0, 0, 0, 0}, []int32{}, nil)
			})
		}, "obsp/distances is 3×2 but must be 3×3 (obs×obs)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := tt.path(t)
			_, err := Read(path)
			if err == nil {
				t.Fatal("Read succeeded")
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, path+": ") || !strings.Contains(msg, tt.want) || strings.Contains(msg, "\n") {
				t.Errorf("error = %q, want one line %q after %q", msg, tt.want, path+": ")
			}
		})
	}
	if _, err := Read(filepath.Join(dir, "missing.h5ad")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}

// Parts the in-memory AnnData cannot hold are reported, not fatal.
func TestReadSkipsUnsupported(t *testing.T) {
	path := raw(t, func(t *testing.T, root *hdf5.Group) {
		cells3genes2(t, root)
		obsm := group(t, root, "obsm", encDict)
		frame(t, obsm, "df", []string{"a", "b", "c"})
		closeDataset(t)(hdf5.WriteNumeric(obsm, "cube", make([]float32, 12), []int{3, 2, 2}, hdf5.Layout{}))
		denseX(t, obsm, "X_pca", 3, 2)
		raw := group(t, root, "raw", "")
		denseX(t, raw, "X", 3, 2)
		uns := group(t, root, "uns", encDict)
		closeDataset(t)(hdf5.WriteNumeric(uns, "cube", make([]float64, 8), []int{2, 2, 2}, hdf5.Layout{}))
		group(t, root, "varp", encDict) // empty: not reported
	})
	a, skipped, err := ReadSkipping(path)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range skipped {
		got = append(got, s.Path)
	}
	want := []string{"obsm/cube", "obsm/df", "uns/cube", "raw"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("skipped %v, want %v", skipped, want)
	}
	if _, ok := a.Obsm["X_pca"]; !ok || len(a.Obsm) != 1 {
		t.Errorf("obsm = %v, want only X_pca", a.Obsm)
	}
}
