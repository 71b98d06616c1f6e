package simulate

import "math/rand/v2"

// stream names an independent random-number stream. Genes, cells and each
// block of count draws have their own, so the genes' parameters do not change
// with the number of cells, the cells' times do not change with the number of
// genes, and blocks of cells can be sampled in any order.
type stream uint64

const (
	geneStream stream = iota + 1
	cellStream
	countStream
)

// newRand returns the generator of stream s, block index, for a seed. The
// PCG state is derived with the splitmix64 finaliser so that neighbouring
// seeds and blocks get unrelated states.
func newRand(seed uint64, s stream, index int) *rand.Rand {
	hi := mix64(seed ^ mix64(uint64(s)))
	lo := mix64(hi ^ mix64(uint64(index)))
	return rand.New(rand.NewPCG(hi, lo))
}

// mix64 is splitmix64's output function (Steele, Lea and Flood 2014).
func mix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}
