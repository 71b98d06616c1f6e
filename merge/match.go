package merge

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/velo-rna/velo/anndata"
)

// matching pairs sample cells with annotation cells.
type matching struct {
	ann   []name  // parsed annotation names
	of    [][]int // of[sample][cell] = annotation row, or -1
	owner []int   // owner[annotation row] = sample index, or -1
}

// match pairs every sample cell with at most one annotation cell of the
// same core barcode, preferring annotation cells that name the sample over
// ones that name none, and never using one that names another sample.
func match(samples []Sample, cells [][]name, annotation *anndata.AnnData, opts Options) (*matching, error) {
	nA := annotation.NObs()
	m := &matching{ann: make([]name, nA), of: make([][]int, len(samples)), owner: make([]int, nA)}
	byCore := make(map[string][]int, nA)
	for a, n := range annotation.Obs.Index {
		m.ann[a] = parseName(n, opts.MinBarcode)
		byCore[m.ann[a].core] = append(byCore[m.ann[a].core], a)
		m.owner[a] = -1
	}
	claims, err := claimsOf(samples, m.ann, annotation, opts.SampleKey)
	if err != nil {
		return nil, err
	}
	cellOf := make([]int, nA) // with owner: which cell of the owning sample
	for k, s := range samples {
		m.of[k] = make([]int, len(cells[k]))
		for i, c := range cells[k] {
			m.of[k][i] = -1
			var strong, weak []int
			for _, a := range byCore[c.core] {
				switch {
				case contains(claims[a], k):
					strong = append(strong, a)
				case len(claims[a]) == 0:
					weak = append(weak, a)
				}
			}
			pick := strong
			if len(pick) == 0 {
				pick = weak
			}
			switch {
			case len(pick) == 0:
				continue
			case len(pick) > 1:
				return nil, fmt.Errorf("merge: cell %q of sample %q matches %d annotation cells (%s); "+
					"tell them apart by giving the sample an alias found in their names, or Options.SampleKey",
					s.Data.Obs.Index[i], s.Name, len(pick), quoteSome(annotation.Obs.Index, pick))
			}
			a := pick[0]
			if o := m.owner[a]; o >= 0 {
				return nil, fmt.Errorf("merge: annotation cell %q matches cell %q of sample %q and cell %q of sample %q; "+
					"tell the samples apart with aliases found in the annotation's names, or Options.SampleKey",
					annotation.Obs.Index[a], samples[o].Data.Obs.Index[cellOf[a]], samples[o].Name, s.Data.Obs.Index[i], s.Name)
			}
			m.owner[a], cellOf[a] = k, i
			m.of[k][i] = a
		}
	}
	for k, s := range samples {
		if m.matched(k) == 0 {
			return nil, noMatchError(s, cells[k], annotation, m.ann)
		}
	}
	return m, nil
}

func (m *matching) matched(k int) int {
	n := 0
	for _, a := range m.of[k] {
		if a >= 0 {
			n++
		}
	}
	return n
}

// claimsOf lists, for every annotation cell, the samples whose name or
// alias its SampleKey value equals or, without a SampleKey, its name
// contains outside the core.
func claimsOf(samples []Sample, ann []name, annotation *anndata.AnnData, key string) ([][]int, error) {
	var keyVals []string
	if key != "" {
		var err error
		if keyVals, err = columnStrings(annotation.Obs, key); err != nil {
			return nil, fmt.Errorf("merge: annotation sample column: %w", err)
		}
	}
	claims := make([][]int, len(ann))
	for a, n := range ann {
		for k, s := range samples {
			ids := append([]string{s.Name}, s.Aliases...)
			for _, id := range ids {
				var hit bool
				if keyVals != nil {
					hit = keyVals[a] == id
				} else {
					hit = containsWord(n.prefix, id) || containsWord(n.suffix, id)
				}
				if hit {
					claims[a] = append(claims[a], k)
					break
				}
			}
		}
	}
	return claims, nil
}

// columnStrings returns a string, categorical or numeric column as text
// (numbers in their shortest form: 0, 1, 2.5).
func columnStrings(f *anndata.Frame, key string) ([]string, error) {
	if s, err := f.Strings(key); err == nil {
		return s, nil
	}
	v, err := f.Float64(key)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(v))
	for i, x := range v {
		out[i] = strconv.FormatFloat(x, 'f', -1, 64)
	}
	return out, nil
}

func contains(x []int, v int) bool {
	for _, y := range x {
		if y == v {
			return true
		}
	}
	return false
}

// quoteSome quotes up to three names at the given rows.
func quoteSome(names []string, rows []int) string {
	var q []string
	for k, r := range rows {
		if k == 3 {
			q = append(q, "…")
			break
		}
		q = append(q, strconv.Quote(names[r]))
	}
	return strings.Join(q, ", ")
}

func noMatchError(s Sample, cells []name, annotation *anndata.AnnData, ann []name) error {
	ex := func(names []string, parsed []name) string {
		var q []string
		for i := 0; i < len(names) && i < 2; i++ {
			q = append(q, fmt.Sprintf("%q (barcode %s)", names[i], parsed[i].core))
		}
		return strings.Join(q, ", ")
	}
	return fmt.Errorf("merge: none of the %d cells of sample %q matches an annotation cell: its cells are named like %s, the annotation's like %s",
		len(cells), s.Name, ex(s.Data.Obs.Index, cells), ex(annotation.Obs.Index, ann))
}

// rows lists the result's cells: matched ones in annotation order, then,
// when kept, unmatched ones in sample order.
func (m *matching) rows(samples []Sample, cells [][]name, annotation *anndata.AnnData, keep bool) []outRow {
	cellOf := make([]int, len(m.owner))
	for k := range m.of {
		for i, a := range m.of[k] {
			if a >= 0 {
				cellOf[a] = i
			}
		}
	}
	var rows []outRow
	for a, k := range m.owner {
		if k >= 0 {
			rows = append(rows, outRow{sample: k, cell: cellOf[a], ann: a, name: annotation.Obs.Index[a]})
		}
	}
	if keep {
		for k, s := range samples {
			for i, a := range m.of[k] {
				if a < 0 {
					rows = append(rows, outRow{sample: k, cell: i, ann: -1, name: s.Name + ":" + cells[k][i].core})
				}
			}
		}
	}
	return rows
}

// fill records the matching in the report.
func (m *matching) fill(rep *Report, annotation *anndata.AnnData) {
	rep.AnnotationCells = annotation.NObs()
	for a, k := range m.owner {
		if k < 0 {
			rep.AnnotationUnmatched++
			continue
		}
		sr := &rep.Samples[k]
		if sr.Patterns == nil {
			sr.Patterns = map[string]int{}
		}
		sr.Patterns[m.ann[a].pattern()]++
	}
	for k := range rep.Samples {
		rep.Samples[k].Matched = m.matched(k)
		rep.Samples[k].Unmatched = rep.Samples[k].Cells - rep.Samples[k].Matched
	}
}
