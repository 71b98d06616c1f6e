package merge

import (
	"fmt"
	"slices"

	"github.com/velo-rna/velo/anndata"
	"github.com/velo-rna/velo/array"
)

// concat builds the result's counts, var and sample-side obs for rows.
func concat(samples []Sample, rows []outRow, rep *Report, opts Options) (*anndata.AnnData, error) {
	genes, colMap, err := sharedGenes(samples)
	if err != nil {
		return nil, err
	}
	rep.Genes = len(genes)
	obsNames := make([]string, len(rows))
	for r, row := range rows {
		obsNames[r] = row.name
	}
	out := anndata.New(obsNames, nil)
	out.Var = samples[0].Data.Var.Subset(genes)

	for _, k := range commonLayers(samples, rep, opts) {
		mats := make([]array.Matrix, len(samples))
		for s := range samples {
			mats[s] = samples[s].Data.Layers[k]
		}
		out.Layers[k] = stack(mats, rows, colMap, len(genes))
	}
	hasX := true
	for _, s := range samples {
		hasX = hasX && s.Data.X != nil
	}
	if hasX {
		mats := make([]array.Matrix, len(samples))
		for s := range samples {
			mats[s] = samples[s].Data.X
		}
		out.X = stack(mats, rows, colMap, len(genes))
	} else if samples[0].Data.X != nil || len(samples) > 1 {
		noteDropped(&rep.DroppedLayers, "X", opts, "X is missing from some samples")
	}

	names := make([]string, len(samples))
	codes := make([]int32, len(rows))
	for k, s := range samples {
		names[k] = s.Name
	}
	for r, row := range rows {
		codes[r] = int32(row.sample)
	}
	sampleObs(out, samples, rows, rep, opts)
	out.Obs.Set("sample", &anndata.Categorical{Codes: codes, Categories: names})
	return out, nil
}

// sharedGenes returns the positions in the first sample of the genes every
// sample has (by var name), and per sample a map old column → new column.
func sharedGenes(samples []Sample) ([]int, [][]int32, error) {
	count := map[string]int{}
	for _, s := range samples {
		for _, g := range s.Data.Var.Index {
			count[g]++
		}
	}
	var keep []int
	newPos := map[string]int32{}
	for j, g := range samples[0].Data.Var.Index {
		if count[g] == len(samples) {
			newPos[g] = int32(len(keep))
			keep = append(keep, j)
		}
	}
	if len(keep) == 0 {
		ex := make([]string, 0, len(samples))
		for _, s := range samples {
			first := "(no genes)"
			if s.Data.NVars() > 0 {
				first = s.Data.Var.Index[0]
			}
			ex = append(ex, fmt.Sprintf("%s: %q…", s.Name, first))
		}
		return nil, nil, fmt.Errorf("merge: the samples share no gene name (%v); were they counted against the same annotation?", ex)
	}
	maps := make([][]int32, len(samples))
	for k, s := range samples {
		maps[k] = make([]int32, s.Data.NVars())
		for j, g := range s.Data.Var.Index {
			if p, ok := newPos[g]; ok {
				maps[k][j] = p
			} else {
				maps[k][j] = -1
			}
		}
	}
	return keep, maps, nil
}

// commonLayers returns the layer names every sample has, recording others.
func commonLayers(samples []Sample, rep *Report, opts Options) []string {
	var keep []string
	all := map[string]bool{}
	for _, s := range samples {
		for k := range s.Data.Layers {
			all[k] = true
		}
	}
	for _, k := range anndata.SortedKeys(all) {
		in := true
		for _, s := range samples {
			_, ok := s.Data.Layers[k]
			in = in && ok
		}
		if in {
			keep = append(keep, k)
		} else {
			noteDropped(&rep.DroppedLayers, k, opts, "layer "+k+" is missing from some samples")
		}
	}
	return keep
}

func noteDropped(list *[]string, what string, opts Options, why string) {
	*list = append(*list, what)
	opts.logf("merge: dropping %s: %s", what, why)
}

// stack assembles rows of the per-sample matrices, keeping the shared
// columns in their new order. The result is dense only when every input is.
func stack(mats []array.Matrix, rows []outRow, colMap [][]int32, nCols int) array.Matrix {
	allDense := true
	for _, m := range mats {
		_, ok := m.(*array.Dense)
		allDense = allDense && ok
	}
	if allDense {
		out := array.NewDense(len(rows), nCols)
		for r, row := range rows {
			src, dst := mats[row.sample].(*array.Dense).Row(row.cell), out.Row(r)
			for j, v := range src {
				if nj := colMap[row.sample][j]; nj >= 0 {
					dst[nj] = v
				}
			}
		}
		return out
	}
	csr := make([]*array.CSR, len(mats))
	for k, m := range mats {
		csr[k] = array.AsCSR(m)
	}
	out := &array.CSR{Rows: len(rows), Cols: nCols, Indptr: make([]int64, len(rows)+1)}
	for r, row := range rows {
		idx, val := csr[row.sample].RowView(row.cell)
		start := len(out.Indices)
		sorted := true
		for p, j := range idx {
			if nj := colMap[row.sample][j]; nj >= 0 {
				if n := len(out.Indices); n > start && out.Indices[n-1] > nj {
					sorted = false
				}
				out.Indices = append(out.Indices, nj)
				out.Data = append(out.Data, val[p])
			}
		}
		out.Indptr[r+1] = int64(len(out.Indices))
		if !sorted {
			sortRow(out.Indices[start:], out.Data[start:])
		}
	}
	return out
}

func sortRow(idx []int32, val []float32) {
	perm := make([]int, len(idx))
	for p := range perm {
		perm[p] = p
	}
	slices.SortFunc(perm, func(a, b int) int { return int(idx[a]) - int(idx[b]) })
	i2 := slices.Clone(idx)
	v2 := slices.Clone(val)
	for p, q := range perm {
		idx[p], val[p] = i2[q], v2[q]
	}
}

// sampleObs copies the obs columns every sample has into out.
func sampleObs(out *anndata.AnnData, samples []Sample, rows []outRow, rep *Report, opts Options) {
	for _, c := range samples[0].Data.Obs.Columns() {
		if c.Name == "sample" {
			continue
		}
		parts := make([]any, len(samples))
		ok := true
		for k, s := range samples {
			d, has := s.Data.Obs.Get(c.Name)
			ok = ok && has
			parts[k] = d
		}
		if !ok {
			noteDropped(&rep.DroppedColumns, c.Name, opts, "obs column "+c.Name+" is missing from some samples")
			continue
		}
		col, err := gather(parts, rows)
		if err != nil {
			noteDropped(&rep.DroppedColumns, c.Name, opts, err.Error())
			continue
		}
		out.Obs.Set(c.Name, col)
	}
	for k := 1; k < len(samples); k++ {
		for _, c := range samples[k].Data.Obs.Columns() {
			if !samples[0].Data.Obs.Has(c.Name) && c.Name != "sample" && !slices.Contains(rep.DroppedColumns, c.Name) {
				noteDropped(&rep.DroppedColumns, c.Name, opts, "obs column "+c.Name+" is missing from some samples")
			}
		}
	}
}
