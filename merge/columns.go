package merge

import (
	"fmt"
	"math"
	"slices"

	"github.com/velo-rna/velo/anndata"
	"github.com/velo-rna/velo/array"
)

// gather builds one column from the samples' columns (parts[k] for sample
// k) following rows. Same-typed parts keep their type (categoricals their
// categories when all agree); numeric parts of different types become
// float64, string and categorical parts become strings.
func gather(parts []any, rows []outRow) (any, error) {
	same := true
	for _, p := range parts[1:] {
		same = same && fmt.Sprintf("%T", p) == fmt.Sprintf("%T", parts[0])
	}
	if same {
		switch p0 := parts[0].(type) {
		case []float64:
			return gatherAs[float64](parts, rows), nil
		case []float32:
			return gatherAs[float32](parts, rows), nil
		case []int64:
			return gatherAs[int64](parts, rows), nil
		case []int32:
			return gatherAs[int32](parts, rows), nil
		case []bool:
			return gatherAs[bool](parts, rows), nil
		case []string:
			return gatherAs[string](parts, rows), nil
		case *anndata.Categorical:
			agree := true
			for _, p := range parts[1:] {
				c := p.(*anndata.Categorical)
				agree = agree && slices.Equal(c.Categories, p0.Categories) && c.Ordered == p0.Ordered
			}
			if agree {
				codes := make([]int32, len(rows))
				for r, row := range rows {
					codes[r] = parts[row.sample].(*anndata.Categorical).Codes[row.cell]
				}
				return &anndata.Categorical{Codes: codes, Categories: p0.Categories, Ordered: p0.Ordered}, nil
			}
		}
	}
	if text, ok := asStrings(parts); ok {
		out := make([]string, len(rows))
		for r, row := range rows {
			out[r] = text[row.sample][row.cell]
		}
		return out, nil
	}
	if nums, ok := asFloats(parts); ok {
		out := make([]float64, len(rows))
		for r, row := range rows {
			out[r] = nums[row.sample][row.cell]
		}
		return out, nil
	}
	return nil, fmt.Errorf("its types differ between samples (%T and others)", parts[0])
}

func gatherAs[T any](parts []any, rows []outRow) []T {
	out := make([]T, len(rows))
	for r, row := range rows {
		out[r] = parts[row.sample].([]T)[row.cell]
	}
	return out
}

func asStrings(parts []any) ([][]string, bool) {
	out := make([][]string, len(parts))
	for k, p := range parts {
		switch t := p.(type) {
		case []string:
			out[k] = t
		case *anndata.Categorical:
			s := make([]string, len(t.Codes))
			for i := range s {
				s[i] = t.Value(i)
			}
			out[k] = s
		default:
			return nil, false
		}
	}
	return out, true
}

func asFloats(parts []any) ([][]float64, bool) {
	out := make([][]float64, len(parts))
	for k, p := range parts {
		f := anndata.NewFrame(make([]string, anndata.ColumnLen(p)))
		f.Set("c", p)
		v, err := f.Float64("c")
		if err != nil {
			return nil, false
		}
		out[k] = v
	}
	return out, true
}

// take picks rows of an annotation column; -1 marks a cell without
// annotation, given a missing value: NaN for numbers (integer and boolean
// columns with missing values become float64, as pandas does when it
// reindexes), "" for strings, code -1 for categoricals.
func take(data any, idx []int) any {
	missing := slices.Contains(idx, -1)
	switch t := data.(type) {
	case []float64:
		return takeOr(t, idx, math.NaN())
	case []float32:
		return takeOr(t, idx, float32(math.NaN()))
	case []string:
		return takeOr(t, idx, "")
	case *anndata.Categorical:
		return &anndata.Categorical{Codes: takeOr(t.Codes, idx, -1), Categories: t.Categories, Ordered: t.Ordered}
	case []int64:
		if !missing {
			return takeOr(t, idx, 0)
		}
	case []int32:
		if !missing {
			return takeOr(t, idx, 0)
		}
	case []bool:
		if !missing {
			return takeOr(t, idx, false)
		}
	}
	f := anndata.NewFrame(make([]string, anndata.ColumnLen(data)))
	f.Set("c", data)
	v, _ := f.Float64("c")
	return takeOr(v, idx, math.NaN())
}

func takeOr[T any](x []T, idx []int, missing T) []T {
	out := make([]T, len(idx))
	for r, i := range idx {
		if i < 0 {
			out[r] = missing
		} else {
			out[r] = x[i]
		}
	}
	return out
}

// attach copies the annotation's obs columns (replacing sample columns of
// the same name, obs "sample" included), obsm matrices (NaN rows for cells
// without annotation) and the colour lists of its attached columns onto
// out, whose rows are rows.
func attach(out *anndata.AnnData, annotation *anndata.AnnData, rows []outRow) {
	idx := make([]int, len(rows))
	for r, row := range rows {
		idx[r] = row.ann
	}
	for _, c := range annotation.Obs.Columns() {
		out.Obs.Set(c.Name, take(c.Data, idx))
		if colors, ok := annotation.Uns[c.Name+"_colors"]; ok {
			out.Uns[c.Name+"_colors"] = colors
		}
	}
	nan := float32(math.NaN())
	for _, k := range anndata.SortedKeys(annotation.Obsm) {
		m := annotation.Obsm[k]
		o := array.NewDense(len(rows), m.Cols)
		for r, i := range idx {
			if i < 0 {
				for j := range o.Row(r) {
					o.Row(r)[j] = nan
				}
				continue
			}
			copy(o.Row(r), m.Row(i))
		}
		out.Obsm[k] = o
	}
}
