package merge

import (
	"fmt"
	"sort"
	"strings"
)

// Report says what Merge did, so that no cell is lost silently.
type Report struct {
	Samples []SampleReport
	// Cells is the number of cells in the result; Genes the number of genes
	// all samples share.
	Cells, Genes int
	// AnnotationCells is the annotation's cell count and AnnotationUnmatched
	// how many of them matched no sample cell.
	AnnotationCells, AnnotationUnmatched int
	// DroppedLayers and DroppedColumns name layers (and "X") and sample obs
	// columns left out because some sample lacks them or their types clash.
	DroppedLayers, DroppedColumns []string
}

// SampleReport is one sample's part of a Report.
type SampleReport struct {
	Name string
	// Cells and Genes are the sample's own counts.
	Cells, Genes int
	// Matched and Unmatched count its cells with and without an annotation
	// cell (both zero without an annotation).
	Matched, Unmatched int
	// Patterns counts the matched annotation names by shape, the barcode
	// replaced by "*" ("*-1", "s1_*"): a sample matched under an unexpected
	// pattern points at a wrong alias.
	Patterns map[string]int
}

// String renders the report as a small table.
func (r Report) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d cells × %d shared genes\n", r.Cells, r.Genes)
	annotated := r.AnnotationCells > 0
	for _, s := range r.Samples {
		fmt.Fprintf(&b, "  %s: %d cells, %d genes", s.Name, s.Cells, s.Genes)
		if annotated {
			fmt.Fprintf(&b, ", %d matched, %d unmatched", s.Matched, s.Unmatched)
			keys := make([]string, 0, len(s.Patterns))
			for k := range s.Patterns {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				fmt.Fprintf(&b, " [%s: %d]", k, s.Patterns[k])
			}
		}
		b.WriteByte('\n')
	}
	if annotated {
		fmt.Fprintf(&b, "  annotation: %d cells, %d matched no sample cell\n", r.AnnotationCells, r.AnnotationUnmatched)
	}
	if len(r.DroppedLayers) > 0 {
		fmt.Fprintf(&b, "  dropped layers: %s\n", strings.Join(r.DroppedLayers, ", "))
	}
	if len(r.DroppedColumns) > 0 {
		fmt.Fprintf(&b, "  dropped obs columns: %s\n", strings.Join(r.DroppedColumns, ", "))
	}
	return b.String()
}
