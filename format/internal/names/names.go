// Package names makes gene names unique the way anndata does and checks
// cell barcodes for duplicates, for every count reader in velo.
package names

import (
	"fmt"
	"strconv"
)

// MakeUnique returns names with repeats renamed as anndata's
// var_names_make_unique (anndata.utils.make_index_unique, join "-") does:
// the first occurrence keeps its name, later ones get "-1", "-2", … in
// order, skipping any candidate already present among the names, so the
// result matches Python for the same input. The input is not modified.
func MakeUnique(names []string) []string {
	seen := make(map[string]struct{}, len(names))
	dup := false
	for _, n := range names {
		if _, ok := seen[n]; ok {
			dup = true
		}
		seen[n] = struct{}{}
	}
	out := append([]string(nil), names...)
	if !dup {
		return out
	}
	// anndata decides which entries are duplicates before renaming any, and
	// checks candidates against the original names plus those added so far.
	first := make(map[string]struct{}, len(names))
	isDup := make([]bool, len(names))
	for i, n := range names {
		if _, ok := first[n]; ok {
			isDup[i] = true
		} else {
			first[n] = struct{}{}
		}
	}
	counter := map[string]int{}
	for i, n := range names {
		if !isDup[i] {
			continue
		}
		for {
			counter[n]++
			cand := n + "-" + strconv.Itoa(counter[n])
			if _, taken := seen[cand]; !taken {
				seen[cand] = struct{}{}
				out[i] = cand
				break
			}
		}
	}
	return out
}

// CheckUnique returns an error naming the first repeated entry, its two
// positions (1-based lines, as in the file it came from) and what.
func CheckUnique(names []string, what string) error {
	at := make(map[string]int, len(names))
	for i, n := range names {
		if j, ok := at[n]; ok {
			return fmt.Errorf("%s %q appears twice (lines %d and %d)", what, n, j+1, i+1)
		}
		at[n] = i
	}
	return nil
}
