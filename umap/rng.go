package umap

import (
	"math"
	"math/bits"
)

// Random streams are counter based: every draw is a hash of (seed, purpose,
// index), so a value never depends on which goroutine asks for it or when.
// splitmix64's finaliser is the hash; it passes BigCrush on a counter.

const golden = 0x9e3779b97f4a7c15

// Stream purposes, mixed into the key so that streams never overlap.
const (
	streamNoise uint64 = iota + 1
	streamRandomInit
	streamLanczosStart
	streamNegative
)

func mix64(z uint64) uint64 {
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// stream is a splitmix64 generator positioned by key.
type stream struct{ state uint64 }

// newStream returns the stream of (seed, purpose, a, b).
func newStream(seed, purpose, a, b uint64) stream {
	s := mix64(seed + golden*purpose)
	s = mix64(s ^ (a + golden))
	s = mix64(s ^ (b + 0x632be59bd9b4e019))
	return stream{state: s}
}

func (s *stream) next() uint64 {
	s.state += golden
	return mix64(s.state)
}

// intn returns a uniform integer in [0, n) for n < 2³² (Lemire's
// multiply-shift; the bias is below n/2³², irrelevant here).
func (s *stream) intn(n uint32) uint32 {
	return uint32(((s.next() >> 32) * uint64(n)) >> 32)
}

// float64 returns a uniform number in [0, 1) with 53 random bits.
func (s *stream) float64() float64 {
	return float64(s.next()>>11) * (1.0 / (1 << 53))
}

// normal returns a standard Gaussian number (Box–Muller, cosine branch).
func (s *stream) normal() float64 {
	u := 1 - s.float64() // (0, 1]: log stays finite
	v := s.float64()
	return math.Sqrt(-2*math.Log(u)) * math.Cos(2*math.Pi*v)
}

// wyIncrement is wyrand's state increment.
const wyIncrement = 0xa0761d6478bd642f

// wyrand returns wyrand's output for the state x (Wang Yi's generator: one
// 64×64→128-bit product per draw, half the work of splitmix64, and it passes
// BigCrush and PractRand). Counter based like the streams above: the state
// of draw i of a sequence is its start plus i·wyIncrement.
func wyrand(x uint64) uint64 {
	hi, lo := bits.Mul64(x, x^0xe7037ed1a0b428db)
	return hi ^ lo
}
