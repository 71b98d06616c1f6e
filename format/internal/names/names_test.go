package names

import (
	"slices"
	"strings"
	"testing"
)

func TestMakeUnique(t *testing.T) {
	// Expected values worked out by hand from anndata's make_index_unique
	// (anndata/utils.py): duplicates are found first, then each gets the
	// next "-k" suffix not already among the names.
	tests := []struct {
		in, want []string
	}{
		{[]string{"a", "b"}, []string{"a", "b"}},
		{[]string{"a", "a", "a"}, []string{"a", "a-1", "a-2"}},
		{[]string{"a", "b", "a", "b"}, []string{"a", "b", "a-1", "b-1"}},
		// "a-1" already exists, so the repeat of "a" becomes "a-2".
		{[]string{"a", "a-1", "a"}, []string{"a", "a-1", "a-2"}},
		// A repeated "a-1" is itself renamed "a-1-1".
		{[]string{"a", "a", "a-1", "a-1"}, []string{"a", "a-2", "a-1", "a-1-1"}},
		{nil, nil},
	}
	for _, tc := range tests {
		in := append([]string(nil), tc.in...)
		got := MakeUnique(tc.in)
		if !slices.Equal(got, tc.want) {
			t.Errorf("MakeUnique(%q) = %q, want %q", tc.in, got, tc.want)
		}
		if !slices.Equal(in, tc.in) {
			t.Errorf("input modified")
		}
	}
}

func TestCheckUnique(t *testing.T) {
	if err := CheckUnique([]string{"x", "y"}, "barcode"); err != nil {
		t.Fatal(err)
	}
	err := CheckUnique([]string{"x", "y", "z", "y"}, "barcode")
	if err == nil || !strings.Contains(err.Error(), `barcode "y" appears twice (lines 2 and 4)`) {
		t.Fatalf("error %v", err)
	}
}
