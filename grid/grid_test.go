package grid

import (
	"github.com/velo-rna/velo/internal/numeric"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/velo-rna/velo/array"
)

// cells returns a jittered side×side lattice over [0, 10]² and the velocity
// field evaluated at each cell.
func cells(side int, seed uint64, vel func(x, y float64) (float64, float64)) (emb, vemb *array.Dense) {
	rng := rand.New(rand.NewPCG(seed, 1))
	n := side * side
	emb, vemb = array.NewDense(n, 2), array.NewDense(n, 2)
	h := 10 / float64(side-1)
	for i := 0; i < n; i++ {
		x := float64(i%side)*h + (rng.Float64()-0.5)*0.2*h
		y := float64(i/side)*h + (rng.Float64()-0.5)*0.2*h
		u, v := vel(x, y)
		emb.Set(i, 0, float32(x))
		emb.Set(i, 1, float32(y))
		vemb.Set(i, 0, float32(u))
		vemb.Set(i, 1, float32(v))
	}
	return emb, vemb
}

// A 3-cell, 2×2-point example worked out by hand from spec §A17.
func TestVelocityOnGridHandExample(t *testing.T) {
	emb := &array.Dense{Rows: 3, Cols: 2, Data: []float32{0, 0, 4, 0, 0, 2}}
	vemb := &array.Dense{Rows: 3, Cols: 2, Data: []float32{1, 0, 0, 2, -1, 1}}
	// x: min 0, max 4 → 0 − 0.04 = −0.04 and 4 + 0.01·|4 − (−0.04)| = 4.0404.
	// y: min 0, max 2 → −0.02 and 2 + 0.01·2.02 = 2.0202.
	xs, ys := []float64{-0.04, 4.0404}, []float64{-0.02, 2.0202}
	sigma := 0.5 * ((4.0404 + 0.04) + (2.0202 + 0.02)) / 2
	pdf := func(d float64) float64 { return math.Exp(-d*d/(2*sigma*sigma)) / (sigma * math.Sqrt(2*math.Pi)) }
	type nb struct {
		cell int
		d    float64
	}
	// The two nearest of A(0,0), B(4,0), C(0,2) for each point, by hand.
	near := [4][2]nb{
		{{0, math.Hypot(0.04, 0.02)}, {2, math.Hypot(0.04, 2.02)}},         // (−0.04, −0.02): A, C
		{{1, math.Hypot(0.0404, 0.02)}, {0, math.Hypot(4.0404, 0.02)}},     // (4.0404, −0.02): B, A
		{{2, math.Hypot(0.04, 0.0202)}, {0, math.Hypot(0.04, 2.0202)}},     // (−0.04, 2.0202): C, A
		{{1, math.Hypot(0.0404, 2.0202)}, {2, math.Hypot(4.0404, 0.0202)}}, // (4.0404, 2.0202): B, C
	}
	vel := [3][2]float64{{1, 0}, {0, 2}, {-1, 1}}
	res, err := VelocityOnGrid(emb, vemb, Options{Density: 0.04, NNeighbors: 2, NoAutoscale: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.Nx != 2 || res.Ny != 2 {
		t.Fatalf("grid is %d×%d, want 2×2", res.Nx, res.Ny)
	}
	// float64 throughout; only the order of operations differs.
	const tol = 1e-12
	for i := range xs {
		if !close(res.X[i], xs[i], tol) || !close(res.Y[i], ys[i], tol) {
			t.Errorf("axis point %d = (%v, %v), want (%v, %v)", i, res.X[i], res.Y[i], xs[i], ys[i])
		}
	}
	var pu, pv []float64
	for g := 0; g < 4; g++ {
		w0, w1 := pdf(near[g][0].d), pdf(near[g][1].d)
		mass := w0 + w1
		d := math.Max(1, mass)
		u := (w0*vel[near[g][0].cell][0] + w1*vel[near[g][1].cell][0]) / d
		v := (w0*vel[near[g][0].cell][1] + w1*vel[near[g][1].cell][1]) / d
		pu, pv = append(pu, u), append(pv, v)
		if !close(res.Mass[g], mass, tol) || !close(res.U[g], u, tol) || !close(res.V[g], v, tol) {
			t.Errorf("point %d: mass %v U %v V %v, want %v %v %v", g, res.Mass[g], res.U[g], res.V[g], mass, u, v)
		}
		if !res.Show[g] {
			t.Errorf("point %d hidden; all four masses are within a factor 3 of each other", g)
		}
	}

	// Autoscale: 1.8/(1+2·0.05) · max(10, √4) · mean √((u/Rx)² + (v·ρ/Ry)²).
	rho := 369.6 / 496
	var sum float64
	for g := range pu {
		sum += math.Sqrt(math.Pow(pu[g]/4.0804, 2) + math.Pow(pv[g]*rho/2.0402, 2))
	}
	wantScale := 3 * 1.8 / 1.1 * 10 * sum / 4
	scaled, err := VelocityOnGrid(emb, vemb, Options{Density: 0.04, NNeighbors: 2})
	if err != nil {
		t.Fatal(err)
	}
	if !close(scaled.Scale, wantScale, 1e-12) {
		t.Errorf("autoscale divisor %v, want %v", scaled.Scale, wantScale)
	}
	for g := range pu {
		if !close(scaled.U[g], pu[g]/wantScale, 1e-12) || !close(scaled.V[g], pv[g]/wantScale, 1e-12) {
			t.Errorf("point %d scaled to (%v, %v), want (%v, %v)", g, scaled.U[g], scaled.V[g], pu[g]/wantScale, pv[g]/wantScale)
		}
	}
}

func close(a, b, rel float64) bool {
	return math.Abs(a-b) <= rel*math.Max(1, math.Max(math.Abs(a), math.Abs(b)))
}

// Where the kernel mass reaches 1 the grid vector is a weighted mean of the
// neighbours' vectors, so a constant field is reproduced exactly and a
// linear (rotational) one up to the offset of the weighted centroid.
func TestVelocityOnGridReproducesField(t *testing.T) {
	cases := []struct {
		name string
		vel  func(x, y float64) (float64, float64)
		tol  float64 // absolute, relative to a field of size ~5
	}{
		// Exact up to the float32 rounding of the stored velocities.
		{"constant", func(x, y float64) (float64, float64) { return 0.3, -0.2 }, 1e-7},
		// σ is about half the lattice spacing, so the few cells that carry
		// the weight put their centroid a few hundredths of a unit off the
		// point (measured: 0.022 at most); |∇V| = 1 and |V| ≤ 5 inside.
		{"rotation", func(x, y float64) (float64, float64) { return -(y - 5), x - 5 }, 0.05},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			emb, vemb := cells(51, 1, c.vel)
			res, err := VelocityOnGrid(emb, vemb, Options{NoAutoscale: true})
			if err != nil {
				t.Fatal(err)
			}
			checked := 0
			for g := range res.U {
				x, y := res.X[g%res.Nx], res.Y[g/res.Nx]
				if res.Mass[g] < 1 || x < 1 || x > 9 || y < 1 || y > 9 {
					continue
				}
				checked++
				u, v := c.vel(x, y)
				if math.Abs(res.U[g]-u) > c.tol || math.Abs(res.V[g]-v) > c.tol {
					t.Fatalf("point (%.3f, %.3f): grid (%v, %v), field (%v, %v)", x, y, res.U[g], res.V[g], u, v)
				}
			}
			if checked < 1400 {
				t.Fatalf("only %d interior points with mass ≥ 1 checked", checked)
			}
		})
	}
}

// Grid mode hides points in an empty band between two groups of cells.
func TestGridMassMask(t *testing.T) {
	emb, vemb := cells(41, 2, func(x, y float64) (float64, float64) { return 1, 0 })
	for i := 0; i < emb.Rows; i++ {
		if emb.At(i, 0) > 5 {
			emb.Set(i, 0, emb.At(i, 0)+10) // open a gap between x = 5 and 15
		}
	}
	res, err := VelocityOnGrid(emb, vemb, Options{})
	if err != nil {
		t.Fatal(err)
	}
	thr := numeric.Percentile(res.Mass, 99) / 100
	var gapShown, cellsHidden int
	for g := range res.Mass {
		if res.Show[g] != (res.Mass[g] > thr) {
			t.Fatalf("point %d: shown %v but mass %v vs threshold %v", g, res.Show[g], res.Mass[g], thr)
		}
		x := res.X[g%res.Nx]
		switch {
		case x > 7 && x < 13:
			if res.Show[g] {
				gapShown++
			}
		case x < 4.5 || x > 15.5:
			if !res.Show[g] {
				cellsHidden++
			}
		}
	}
	if gapShown > 0 || cellsHidden > 0 {
		t.Fatalf("%d points in the gap shown, %d points among cells hidden", gapShown, cellsHidden)
	}
	if res.Scale == 1 {
		t.Fatal("grid mode did not autoscale")
	}
}

// Stream mode masks points that do not move and the lowest 5 % of the
// neighbour speed L, marking them with NaN in U.
func TestStreamMasks(t *testing.T) {
	// |u| grows with x: L is lowest on the left. No cell is at rest.
	emb, vemb := cells(51, 3, func(x, y float64) (float64, float64) { return 1 + x, 0 })
	res, err := VelocityOnGrid(emb, vemb, Options{Stream: true})
	if err != nil {
		t.Fatal(err)
	}
	masked := 0
	for g := range res.U {
		if res.Show[g] == math.IsNaN(res.U[g]) {
			t.Fatalf("point %d: Show %v but U %v", g, res.Show[g], res.U[g])
		}
		if res.Show[g] {
			continue
		}
		masked++
		if i := g % res.Nx; i > 3 {
			t.Errorf("point in column %d masked; only the slowest 5 %% (2.5 columns) should be", i)
		}
	}
	// 2500 distinct values: those below the interpolated 5th percentile at
	// position 124.95 are the 125 smallest.
	if masked != 125 {
		t.Errorf("%d points masked, want 125", masked)
	}

	off, err := VelocityOnGrid(emb, vemb, Options{Stream: true, CutoffPerc: -1})
	if err != nil {
		t.Fatal(err)
	}
	for g, ok := range off.Show {
		if !ok {
			t.Fatalf("point %d masked with the cutoff disabled", g)
		}
	}

	// Cells at rest on the right half: their grid points have zero speed.
	emb, vemb = cells(51, 4, func(x, y float64) (float64, float64) {
		if x > 5 {
			return 0, 0
		}
		return 1, 1
	})
	res, err = VelocityOnGrid(emb, vemb, Options{Stream: true, CutoffPerc: -1})
	if err != nil {
		t.Fatal(err)
	}
	for g := range res.U {
		x := res.X[g%res.Nx]
		if x > 6 && res.Show[g] {
			t.Fatalf("point at x=%.2f among resting cells not masked (U=%v)", x, res.U[g])
		}
		if x < 4 && !res.Show[g] {
			t.Fatalf("point at x=%.2f among moving cells masked", x)
		}
	}
}

func TestVelocityOnGridDropsNonFiniteCells(t *testing.T) {
	emb, vemb := cells(21, 5, func(x, y float64) (float64, float64) { return 1, 2 })
	ref, err := VelocityOnGrid(emb, vemb, Options{NNeighbors: 8})
	if err != nil {
		t.Fatal(err)
	}
	bad := emb.Clone()
	badV := vemb.Clone()
	bad.Data = append(bad.Data, float32(math.NaN()), 3, 100, 100)
	badV.Data = append(badV.Data, 1, 1, float32(math.Inf(1)), 0)
	bad.Rows, badV.Rows = bad.Rows+2, badV.Rows+2
	got, err := VelocityOnGrid(bad, badV, Options{NNeighbors: 8})
	if err != nil {
		t.Fatal(err)
	}
	for g := range ref.U {
		if got.U[g] != ref.U[g] || got.V[g] != ref.V[g] || got.X[g%got.Nx] != ref.X[g%ref.Nx] {
			t.Fatalf("point %d changed when non-finite cells were added", g)
		}
	}

	allBad := &array.Dense{Rows: 1, Cols: 2, Data: []float32{float32(math.NaN()), 0}}
	if _, err := VelocityOnGrid(allBad, array.NewDense(1, 2), Options{}); err == nil {
		t.Fatal("no error without a finite cell")
	}
	line := &array.Dense{Rows: 3, Cols: 2, Data: []float32{0, 1, 1, 1, 2, 1}}
	if _, err := VelocityOnGrid(line, array.NewDense(3, 2), Options{}); err == nil {
		t.Fatal("no error for cells on a horizontal line")
	}
	if _, err := VelocityOnGrid(emb, vemb, Options{Density: 0.01}); err == nil {
		t.Fatal("no error for a grid with fewer than 2 points per axis")
	}
}

func TestVelocityOnGridThreadsIdentical(t *testing.T) {
	emb, vemb := cells(61, 6, func(x, y float64) (float64, float64) { return math.Sin(x), math.Cos(y) })
	for _, stream := range []bool{false, true} {
		one, err := VelocityOnGrid(emb, vemb, Options{Threads: 1, Stream: stream})
		if err != nil {
			t.Fatal(err)
		}
		four, err := VelocityOnGrid(emb, vemb, Options{Threads: 4, Stream: stream})
		if err != nil {
			t.Fatal(err)
		}
		for g := range one.U {
			if math.Float64bits(one.U[g]) != math.Float64bits(four.U[g]) ||
				math.Float64bits(one.V[g]) != math.Float64bits(four.V[g]) ||
				math.Float64bits(one.Mass[g]) != math.Float64bits(four.Mass[g]) {
				t.Fatalf("stream=%v point %d differs between 1 and 4 threads", stream, g)
			}
		}
	}
}

func TestPercentileMatchesNumpy(t *testing.T) {
	// Values from numpy.percentile (linear method) on the same inputs.
	cases := []struct {
		x    []float64
		q    float64
		want float64
	}{
		{[]float64{3, 1, 2, 4}, 50, 2.5},
		{[]float64{1, 2, 3, 4, 5}, 99, 4.96},
		{[]float64{10, 0}, 5, 0.5},
		{[]float64{7}, 99, 7},
		{[]float64{1, 2}, 100, 2},
	}
	for _, c := range cases {
		if got := numeric.Percentile(c.x, c.q); math.Abs(got-c.want) > 1e-12 {
			t.Errorf("numeric.Percentile(%v, %v) = %v, want %v", c.x, c.q, got, c.want)
		}
	}
}

// The slab search returns exactly what an exhaustive search does, ties
// (duplicate cells) included.
func TestNearestCellsMatchesExhaustive(t *testing.T) {
	rng := rand.New(rand.NewPCG(10, 1))
	n := 500
	cx, cy := make([]float64, n), make([]float64, n)
	for i := range cx {
		cx[i], cy[i] = math.Round(rng.Float64()*20)/2, math.Round(rng.Float64()*20)/2
	}
	qx, qy := make([]float64, 300), make([]float64, 300)
	for i := range qx {
		qx[i], qy[i] = rng.Float64()*12-1, rng.Float64()*12-1
	}
	for _, k := range []int{1, 7, 40, n} {
		got := nearestCells(cx, cy, qx, qy, k, 2)
		for q := range qx {
			all := make([]candidate, n)
			for c := range cx {
				dx, dy := cx[c]-qx[q], cy[c]-qy[q]
				all[c] = candidate{dx*dx + dy*dy, c}
			}
			slices.SortFunc(all, func(a, b candidate) int {
				if less(a, b) {
					return -1
				}
				return 1
			})
			for j := 0; j < k; j++ {
				if got.idx[q*k+j] != all[j].cell || got.dist[q*k+j] != math.Sqrt(all[j].d2) {
					t.Fatalf("k=%d query %d rank %d: cell %d at %v, want %d at %v", k, q, j,
						got.idx[q*k+j], got.dist[q*k+j], all[j].cell, math.Sqrt(all[j].d2))
				}
			}
		}
	}
}
