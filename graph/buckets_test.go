package graph

import "testing"

// group puts every pair in the bucket of its candidate exactly once, in
// cell order within a bucket, and leaves its map ready for the next chunk.
func TestColumnBucketsGroup(t *testing.T) {
	for _, tc := range []struct {
		name  string
		pairs []int32
		start []int
	}{
		{"empty", nil, []int{0}},
		{"cells without pairs", nil, []int{0, 0, 0}},
		{"shared candidates", []int32{1, 4, 7, 0, 4, 9, 7, 4}, []int{0, 3, 3, 6, 8}},
		{"one cell", []int32{2, 3, 5, 8}, []int{0, 4}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := newColumnBuckets(10)
			for round := 0; round < 2; round++ {
				b.group(tc.pairs, tc.start)
				if got := b.colStart[len(b.cols)]; got != len(tc.pairs) {
					t.Fatalf("buckets hold %d pairs, want %d", got, len(tc.pairs))
				}
				used := make([]bool, len(tc.pairs))
				for q := 0; q+1 < len(tc.start); q++ {
					for k := tc.start[q]; k < tc.start[q+1]; k++ {
						p := int(b.at[k])
						if used[p] {
							t.Fatalf("position %d used twice", p)
						}
						used[p] = true
						if int(b.owner[p]) != q {
							t.Fatalf("pair %d: owner %d, want %d", k, b.owner[p], q)
						}
						u := -1
						for v := range b.cols {
							if b.colStart[v] <= p && p < b.colStart[v+1] {
								u = v
							}
						}
						if u < 0 || b.cols[u] != tc.pairs[k] {
							t.Fatalf("pair %d (candidate %d) is not in its candidate's bucket", k, tc.pairs[k])
						}
					}
				}
				for u := range b.cols {
					for p := b.colStart[u] + 1; p < b.colStart[u+1]; p++ {
						if b.owner[p] < b.owner[p-1] {
							t.Fatalf("bucket %d not in cell order", u)
						}
					}
				}
				for j, l := range b.loc {
					if l != -1 {
						t.Fatalf("map entry %d left at %d", j, l)
					}
				}
			}
		})
	}
}
