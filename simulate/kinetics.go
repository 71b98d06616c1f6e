package simulate

import "math"

// maxSegments is the most constant-rate stretches a gene has along one
// lineage: the initial rate and two switches (on then off, or on then up).
const maxSegments = 3

// segment is a stretch of latent time over which a gene's transcription rate
// is constant. From start on the abundances relax towards the steady state
// (uStar, sStar) = (α/β, α/γ) of the segment's rate α; du and ds are the
// departures from it at start. growth is e^{β·start}, so that e^{−β(t−start)}
// is e^{−βt}·growth and one exponential per cell serves every gene (β is the
// same for all). Everything is precomputed because the count sampler
// evaluates a segment for every cell–gene pair.
type segment struct {
	start, growth, uStar, sStar, du, ds float64
}

// path is the kinetics of one gene along one lineage: n segments in
// increasing start order, the first starting at time 0 in the steady state of
// its rate. A fixed-size array keeps a lineage's paths for all genes in one
// contiguous table, which the count sampler walks for every cell.
type path struct {
	n     int
	gamma float64
	// invGap is 1/(γ − β), or 0 when γ = β.
	invGap float64
	seg    [maxSegments]segment
}

// switchPoint is a time at which a gene's transcription rate changes.
type switchPoint struct {
	time, alpha float64
}

// newPath solves the kinetics of a gene with degradation rate gamma that has
// been transcribed at rate alpha0 long enough before time 0 to be in steady
// state, and whose rate then changes at the given points (in increasing time
// order, at most maxSegments−1 of them).
func newPath(alpha0, gamma float64, switches []switchPoint) path {
	if len(switches) >= maxSegments {
		panic("simulate: too many rate switches for one lineage")
	}
	p := path{n: 1, gamma: gamma}
	if gamma != beta {
		p.invGap = 1 / (gamma - beta)
	}
	p.seg[0] = newSegment(0, alpha0, gamma, alpha0/beta, alpha0/gamma)
	for _, sw := range switches {
		last := &p.seg[p.n-1]
		tau := sw.time - last.start
		u, s := p.evolve(last, tau, math.Exp(-beta*tau))
		p.seg[p.n] = newSegment(sw.time, sw.alpha, gamma, u, s)
		p.n++
	}
	return p
}

// newSegment returns the segment starting at the given time with rate alpha
// and abundances u, s.
func newSegment(start, alpha, gamma, u, s float64) segment {
	uStar, sStar := alpha/beta, alpha/gamma
	return segment{start: start, growth: math.Exp(beta * start),
		uStar: uStar, sStar: sStar, du: u - uStar, ds: s - sStar}
}

// at returns the abundances at latent time t in [0, tMax], given
// decay = e^{−βt}.
func (p *path) at(t, decay float64) (u, s float64) {
	k := p.n - 1
	for k > 0 && p.seg[k].start > t {
		k--
	}
	seg := &p.seg[k]
	return p.evolve(seg, t-seg.start, decay*seg.growth)
}

// evolve returns the exact abundances tau time units after the start of a
// segment, given eb = e^{−βτ}:
//
//	u(τ) = u* + (u₀ − u*)·e^{−βτ}
//	s(τ) = s* + (s₀ − s*)·e^{−γτ} + β(u₀ − u*)·(e^{−βτ} − e^{−γτ})/(γ − β).
func (p *path) evolve(seg *segment, tau, eb float64) (u, s float64) {
	if seg.du == 0 && seg.ds == 0 {
		// Already in steady state: most cell–gene pairs (constant genes,
		// genes not yet switched on) end here without any exponential.
		return seg.uStar, seg.sStar
	}
	eg := math.Exp(-p.gamma * tau)
	return seg.uStar + seg.du*eb, seg.sStar + seg.ds*eg + beta*seg.du*p.mixedDecay(eb, eg, tau)
}

// mixedDecay returns (e^{−βτ} − e^{−γτ})/(γ − β) given eb = e^{−βτ} and
// eg = e^{−γτ}. When γ is close to β the difference cancels, so it is
// rewritten as e^{−βτ}·(1 − e^{−(γ−β)τ})/(γ − β) with expm1, whose limit at
// γ = β is τ·e^{−βτ}.
func (p *path) mixedDecay(eb, eg, tau float64) float64 {
	d := p.gamma - beta
	if math.Abs(d*tau) > 0.5 {
		// Here |1 − e^{−(γ−β)τ}| is at least 0.39, so the subtraction loses
		// under two bits.
		return (eb - eg) * p.invGap
	}
	if d == 0 {
		return tau * eb
	}
	return -eb * math.Expm1(-d*tau) * p.invGap
}
