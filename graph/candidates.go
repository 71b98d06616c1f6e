package graph

// candidateCount returns the size of the set candidateSet collects for cell
// i, using buf (returned for reuse) and leaving set all zero. Sizing the
// graph's rows needs only the count, so the set is neither sorted nor
// extracted from the bitset.
func candidateCount(buf []int32, t knn, i int, depth int, set []uint64) (int, []int32) {
	buf = append(buf[:0], int32(i))
	set[i>>6] |= 1 << (i & 63)
	lo := 0
	for r := 0; r < depth; r++ {
		hi := len(buf)
		for _, x := range buf[lo:hi] {
			for _, y := range t.row(int(x)) {
				w, b := y>>6, uint64(1)<<(y&63)
				if set[w]&b == 0 {
					set[w] |= b
					buf = append(buf, y)
				}
			}
		}
		lo = hi
	}
	for _, c := range buf {
		set[c>>6] = 0
	}
	return len(buf), buf
}
