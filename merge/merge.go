package merge

import (
	"fmt"

	"github.com/velo-rna/velo/anndata"
)

// Sample is one sample's counts.
type Sample struct {
	// Name identifies the sample: it prefixes the names of its unannotated
	// cells ("name:BARCODE") and is looked for in annotation cell names.
	Name string
	// Aliases are other words that mark the sample's cells in the
	// annotation, such as the GEM-well suffix CellRanger aggr gave it ("2"
	// for "BARCODE-2") or anndata's batch index ("0" for "BARCODE-1-0").
	Aliases []string
	// Data holds the counts: layers (spliced, unspliced, …), X, obs, var.
	Data *anndata.AnnData
}

// Options controls Merge. The zero value keeps only annotated cells, as
// scvelo.utils.merge does.
type Options struct {
	// KeepUnmatched keeps cells that match no annotation cell, with missing
	// values in the annotation's columns (NaN, "" or a missing category).
	KeepUnmatched bool
	// SampleKey names an annotation obs column holding each cell's sample
	// (a sample name or alias), for annotations whose cell names do not say
	// or say ambiguously. When set, cell names are not searched for sample
	// names.
	SampleKey string
	// MinBarcode is the shortest run of A/C/G/T/N taken as a barcode
	// (0 = 8: cell barcodes are 12 to 16 bases, and 8 keeps short upper-case
	// sample names such as "GATA" from passing for one).
	MinBarcode int
	// Logf receives notes (dropped layers and columns). Nil is silent.
	Logf func(format string, args ...any)
}

func (o Options) logf(format string, args ...any) {
	if o.Logf != nil {
		o.Logf(format, args...)
	}
}

// Merge concatenates the samples' counts on the genes they share (by var
// name, in the first sample's order; an error when they share none) and,
// when annotation is not nil, attaches its obs columns, obsm matrices and
// the "<column>_colors" entries of its uns to the matched cells.
//
// Layers and X are kept when every sample has them; obs columns of the
// samples when every sample has them (an annotation column of the same name
// wins); obsp graphs and other uns entries, which describe one cell set,
// are not carried over.
//
// Without an annotation cells are named "sample:BARCODE" in sample order.
// With one, matched cells take the annotation's names and order, so the
// result lines up with the processed data; unmatched cells, when kept, follow
// as "sample:BARCODE". obs "sample" holds each cell's sample name, unless
// the annotation has a column of that name.
func Merge(samples []Sample, annotation *anndata.AnnData, opts Options) (*anndata.AnnData, Report, error) {
	var rep Report
	if len(samples) == 0 {
		return nil, rep, fmt.Errorf("merge: no samples")
	}
	if opts.MinBarcode == 0 {
		opts.MinBarcode = defaultMinCore
	}
	seen := map[string]bool{}
	for k, s := range samples {
		switch {
		case s.Name == "":
			return nil, rep, fmt.Errorf("merge: sample %d has no name", k+1)
		case seen[s.Name]:
			return nil, rep, fmt.Errorf("merge: two samples are named %q", s.Name)
		case s.Data == nil:
			return nil, rep, fmt.Errorf("merge: sample %q has no data", s.Name)
		}
		seen[s.Name] = true
		if err := s.Data.Validate(); err != nil {
			return nil, rep, fmt.Errorf("merge: sample %q: %w", s.Name, err)
		}
	}
	if annotation != nil {
		if err := annotation.Validate(); err != nil {
			return nil, rep, fmt.Errorf("merge: annotation: %w", err)
		}
	}

	cells, err := sampleCells(samples, opts.MinBarcode)
	if err != nil {
		return nil, rep, err
	}
	rep.Samples = make([]SampleReport, len(samples))
	for k, s := range samples {
		rep.Samples[k] = SampleReport{Name: s.Name, Cells: s.Data.NObs(), Genes: s.Data.NVars()}
	}
	var rows []outRow
	if annotation == nil {
		for k, s := range samples {
			for i := 0; i < s.Data.NObs(); i++ {
				rows = append(rows, outRow{sample: k, cell: i, ann: -1, name: s.Name + ":" + cells[k][i].core})
			}
		}
	} else {
		m, err := match(samples, cells, annotation, opts)
		if err != nil {
			return nil, rep, err
		}
		rows = m.rows(samples, cells, annotation, opts.KeepUnmatched)
		m.fill(&rep, annotation)
	}

	out, err := concat(samples, rows, &rep, opts)
	if err != nil {
		return nil, rep, err
	}
	if annotation != nil {
		if annotation.Obs.Has("sample") {
			opts.logf("merge: the annotation's obs column \"sample\" replaces the sample names Merge records")
		}
		attach(out, annotation, rows)
	}
	rep.Cells = out.NObs()
	if err := out.Validate(); err != nil {
		return nil, rep, fmt.Errorf("merge: %w", err)
	}
	return out, rep, nil
}

// outRow is one cell of the result: its sample and row there, its
// annotation row (-1 for none) and its name.
type outRow struct {
	sample, cell, ann int
	name              string
}

// sampleCells parses every sample's cell names and checks that each core
// barcode occurs once per sample, since a sample's cells are told apart by
// core alone.
func sampleCells(samples []Sample, minCore int) ([][]name, error) {
	out := make([][]name, len(samples))
	for k, s := range samples {
		out[k] = make([]name, s.Data.NObs())
		at := make(map[string]int, s.Data.NObs())
		for i, n := range s.Data.Obs.Index {
			p := parseName(n, minCore)
			if j, dup := at[p.core]; dup {
				return nil, fmt.Errorf("merge: sample %q: cells %q and %q have the same barcode %s; split the sample so each barcode occurs once",
					s.Name, s.Data.Obs.Index[j], n, p.core)
			}
			at[p.core] = i
			out[k][i] = p
		}
	}
	return out, nil
}
