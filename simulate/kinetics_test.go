package simulate

import (
	"fmt"
	"math"
	"testing"
)

// rk4 integrates du/dt = α(t) − βu, ds/dt = βu − γs from steady state at
// t = 0 to t with classical Runge–Kutta steps of at most h, landing exactly on
// every rate switch so no step straddles a discontinuity. It shares no code
// with the closed-form solution it checks.
func rk4(alpha0, gamma float64, switches []switchPoint, t, h float64) (u, s float64) {
	u, s = alpha0/beta, alpha0/gamma
	alpha, now := alpha0, 0.0
	deriv := func(u, s float64) (float64, float64) { return alpha - beta*u, beta*u - gamma*s }
	advance := func(to float64) {
		for now < to {
			dt := math.Min(h, to-now)
			k1u, k1s := deriv(u, s)
			k2u, k2s := deriv(u+dt/2*k1u, s+dt/2*k1s)
			k3u, k3s := deriv(u+dt/2*k2u, s+dt/2*k2s)
			k4u, k4s := deriv(u+dt*k3u, s+dt*k3s)
			u += dt / 6 * (k1u + 2*k2u + 2*k3u + k4u)
			s += dt / 6 * (k1s + 2*k2s + 2*k3s + k4s)
			now += dt
		}
	}
	for _, sw := range switches {
		if sw.time > t {
			break
		}
		advance(sw.time)
		alpha = sw.alpha
	}
	advance(t)
	return u, s
}

// switchesOf recovers a path's rate schedule from its segments (the inputs of
// the closed form: start times and rates α = β·u*).
func switchesOf(p path) (alpha0 float64, sw []switchPoint) {
	for k := 1; k < p.n; k++ {
		sw = append(sw, switchPoint{p.seg[k].start, beta * p.seg[k].uStar})
	}
	return beta * p.seg[0].uStar, sw
}

func TestClosedFormMatchesRK4(t *testing.T) {
	cases := []struct {
		name     string
		alpha0   float64
		gamma    float64
		switches []switchPoint
	}{
		{"induced slow", 0, 0.03, []switchPoint{{2.5, 1.7}}},
		{"induced fast", 0, 1.5, []switchPoint{{0.1, 0.4}}},
		{"repressed", 2, 0.3, []switchPoint{{5, 0}}},
		{"transient", 0, 0.8, []switchPoint{{1, 3}, {4.2, 0}}},
		{"gamma equals beta", 0, 1, []switchPoint{{3, 2}, {9, 0}}},
		{"gamma near beta", 0, 1 + 1e-9, []switchPoint{{3, 2}, {9, 0}}},
		{"gamma just below beta", 1, 1 - 3e-4, []switchPoint{{12.5, 2.5}}},
		{"up then down", 0, 0.2, []switchPoint{{7, 0.4}, {13, 1}}},
		{"constant", 1.3, 0.5, nil},
	}
	// Draw real genes too, so every program's schedules are checked.
	for g, gm := range drawGenes(newRand(7, geneStream, 0), 40, 3) {
		for f, p := range gm.paths {
			a0, sw := switchesOf(p)
			cases = append(cases, struct {
				name     string
				alpha0   float64
				gamma    float64
				switches []switchPoint
			}{fmt.Sprintf("gene %d (%s) fate %s", g, programNames[gm.program], fateLetters[f]), a0, gm.gamma, sw})
		}
	}
	times := []float64{0, 0.05, 1, 2.5, 3.7, 6, 9.99, 12, 12.01, 15.5, 20, 23.9}
	for _, tc := range cases {
		p := newPath(tc.alpha0, tc.gamma, tc.switches)
		for _, tm := range times {
			u, s := p.at(tm, math.Exp(-beta*tm))
			// Step 1e-3: RK4's global error is O(h⁴) ≈ 1e-12 here, far below
			// the 1e-6 asked of the closed form.
			wu, ws := rk4(tc.alpha0, tc.gamma, tc.switches, tm, 1e-3)
			if d := math.Abs(u - wu); d > 1e-6*math.Max(1, math.Abs(wu)) {
				t.Errorf("%s: u(%g) = %.12g, RK4 gives %.12g", tc.name, tm, u, wu)
			}
			if d := math.Abs(s - ws); d > 1e-6*math.Max(1, math.Abs(ws)) {
				t.Errorf("%s: s(%g) = %.12g, RK4 gives %.12g", tc.name, tm, s, ws)
			}
		}
	}
}

// With the rate held long enough, u/s reaches the steady-state ratio γ/β = γ.
func TestSteadyStateRatio(t *testing.T) {
	for _, gamma := range []float64{0.03, 0.1, 0.5, 1, 1.5} {
		for _, start := range []struct{ alpha0, alpha float64 }{{0, 2}, {5, 0.5}} {
			p := newPath(start.alpha0, gamma, []switchPoint{{1, start.alpha}})
			tm := 1 + 60/gamma // 60 relaxation times of the slower species
			u, s := p.at(tm, math.Exp(-beta*tm))
			if r := u / s; math.Abs(r-gamma/beta) > 1e-9*gamma {
				t.Errorf("γ=%g from α=%g to %g: u/s = %.12g, want %g", gamma, start.alpha0, start.alpha, r, gamma)
			}
			if math.Abs(s-start.alpha/gamma) > 1e-9*s {
				t.Errorf("γ=%g: s = %.12g, want α/γ = %g", gamma, s, start.alpha/gamma)
			}
		}
	}
}

// Before the branch point every lineage of a gene carries the same kinetics,
// bit for bit, so trunk cells do not depend on the fate they were drawn with.
func TestLineagesAgreeBeforeBranch(t *testing.T) {
	genes := drawGenes(newRand(3, geneStream, 0), 200, 3)
	for g, gm := range genes {
		for tm := 0.0; tm < tBranch; tm += 0.25 {
			d := math.Exp(-beta * tm)
			u0, s0 := gm.paths[0].at(tm, d)
			for f := 1; f < len(gm.paths); f++ {
				if u, s := gm.paths[f].at(tm, d); u != u0 || s != s0 {
					t.Fatalf("gene %d (%s) at t=%g: fate %d gives (%g, %g), fate 0 (%g, %g)",
						g, programNames[gm.program], tm, f, u, s, u0, s0)
				}
			}
		}
	}
}
