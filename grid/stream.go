package grid

import (
	"math"
	"sort"
)

// Streamline is one integrated flow line in embedding coordinates, ordered
// in the direction of flow.
type Streamline struct {
	X, Y []float64

	// Width holds, for each segment k from point k to k+1, scVelo's line
	// width factor 2·speed/max speed at point k (speed interpolated on the
	// grid), so a plot multiplies it by its base line width.
	Width []float64

	// Arrow is the segment that carries the arrowhead: the one in the middle
	// of the line by arc length, as matplotlib places it.
	Arrow int
}

// Parameters of matplotlib's streamplot that scVelo's stream plot uses.
const (
	// defaultStreamDensity is scVelo's velocity_embedding_stream density.
	defaultStreamDensity = 2
	// maxLength is scVelo's max_length, 4 axes units, which streamplot
	// halves for each of the two integration directions.
	maxLength = 4.0 / 2
	// minLength is matplotlib's minlength: shorter lines are discarded.
	minLength = 0.1
	// maxError is the tolerance of matplotlib's adaptive RK12 step.
	maxError = 0.003
)

// Streamlines integrates streamlines through a grid field the way
// matplotlib's streamplot does for scVelo's stream plot (integration in both
// directions, max length 4 split between them, min length 0.1):
//
//   - seeds are the cells of an occupancy mask of int(30·density) cells per
//     axis, visited in a spiral from the border inwards; a seed whose mask
//     cell is already taken is skipped;
//   - from each seed the field, interpolated bilinearly and normalised to
//     unit speed in axes units, is integrated backwards and forwards with
//     adaptive second-order Runge–Kutta (Heun with an Euler error estimate);
//   - a line stops when it enters a mask cell another line occupies, leaves
//     the grid (after a last Euler step to the border), reaches a masked or
//     zero-speed grid cell, or exceeds the maximum length;
//   - lines shorter than the minimum length are discarded and free their
//     mask cells.
//
// Points with Show false or a NaN component are masked. density ≤ 0 means 2,
// scVelo's default. The result depends only on the field.
func Streamlines(res *Result, density float64) []Streamline {
	if density <= 0 {
		density = defaultStreamDensity
	}
	f := newField(res)
	m := newStreamMask(int(30*density), int(30*density))
	mx := float64(m.nx-1) / float64(f.nx-1)
	my := float64(m.ny-1) / float64(f.ny-1)
	in := &integrator{f: f, m: m, mx: mx, my: my}
	var lines []Streamline
	for _, s := range spiral(m.nx, m.ny) {
		if m.cells[s[1]*m.nx+s[0]] {
			continue
		}
		xg, yg := float64(s[0])*(1/mx), float64(s[1])*(1/my)
		if traj := in.integrate(xg, yg); traj != nil {
			lines = append(lines, f.streamline(traj))
		}
	}
	return lines
}

// field is a grid field in grid coordinates (one unit per grid spacing).
type field struct {
	nx, ny int
	x0, y0 float64
	dx, dy float64
	u, v   []float64 // grid units per unit time
	speed  []float64 // speed in axes units
	width  []float64 // 2·speed/max speed in data units; NaN where masked
	masked []bool
}

func newField(r *Result) *field {
	n := r.Nx * r.Ny
	f := &field{
		nx: r.Nx, ny: r.Ny, x0: r.X[0], y0: r.Y[0],
		dx: r.X[1] - r.X[0], dy: r.Y[1] - r.Y[0],
		u: make([]float64, n), v: make([]float64, n), speed: make([]float64, n),
		width: make([]float64, n), masked: make([]bool, n),
	}
	maxLen := 0.0
	for g := 0; g < n; g++ {
		f.masked[g] = !r.Show[g] || math.IsNaN(r.U[g]) || math.IsNaN(r.V[g])
		if f.masked[g] {
			f.width[g] = math.NaN()
			continue
		}
		f.u[g], f.v[g] = r.U[g]/f.dx, r.V[g]/f.dy
		f.speed[g] = math.Hypot(f.u[g]/float64(f.nx-1), f.v[g]/float64(f.ny-1))
		f.width[g] = math.Hypot(r.U[g], r.V[g])
		maxLen = math.Max(maxLen, f.width[g])
	}
	for g := range f.width {
		if maxLen > 0 {
			f.width[g] = 2 * f.width[g] / maxLen
		} else if !f.masked[g] {
			f.width[g] = 0
		}
	}
	return f
}

func (f *field) within(x, y float64) bool {
	return x >= 0 && x <= float64(f.nx-1) && y >= 0 && y <= float64(f.ny-1)
}

// corners returns the bilinear stencil of (x, y) as matplotlib's interpgrid
// builds it: the next row and column are always used except on the last.
func (f *field) corners(x, y float64) (g00, g01, g10, g11 int, xt, yt float64) {
	i, j := int(x), int(y)
	in, jn := i+1, j+1
	if i == f.nx-1 {
		in = i
	}
	if j == f.ny-1 {
		jn = j
	}
	return j*f.nx + i, j*f.nx + in, jn*f.nx + i, jn*f.nx + in, x - float64(i), y - float64(j)
}

func bilinear(a []float64, g00, g01, g10, g11 int, xt, yt float64) float64 {
	a0 := a[g00]*(1-xt) + a[g01]*xt
	a1 := a[g10]*(1-xt) + a[g11]*xt
	return a0*(1-yt) + a1*yt
}

// step is the direction of travel per unit arc length at (x, y). ok is
// false when the trajectory must end there (a masked corner or no motion);
// inside reports whether (x, y) lies on the grid at all.
func (f *field) step(x, y, sign float64) (dx, dy float64, inside, ok bool) {
	if !f.within(x, y) {
		return 0, 0, false, false
	}
	g00, g01, g10, g11, xt, yt := f.corners(x, y)
	if f.masked[g00] || f.masked[g01] || f.masked[g10] || f.masked[g11] {
		return 0, 0, true, false
	}
	s := bilinear(f.speed, g00, g01, g10, g11, xt, yt)
	if s == 0 {
		return 0, 0, true, false
	}
	u := bilinear(f.u, g00, g01, g10, g11, xt, yt)
	v := bilinear(f.v, g00, g01, g10, g11, xt, yt)
	return sign * u / s, sign * v / s, true, true
}

// widthAt interpolates the width factor, leaving out masked corners.
func (f *field) widthAt(x, y float64) float64 {
	g00, g01, g10, g11, xt, yt := f.corners(x, y)
	gs := [4]int{g00, g01, g10, g11}
	ws := [4]float64{(1 - xt) * (1 - yt), xt * (1 - yt), (1 - xt) * yt, xt * yt}
	var sum, wsum float64
	for c, g := range gs {
		if !f.masked[g] {
			sum += ws[c] * f.width[g]
			wsum += ws[c]
		}
	}
	if wsum == 0 {
		return 0
	}
	return sum / wsum
}

// streamline converts a trajectory in grid coordinates to data coordinates.
func (f *field) streamline(traj [][2]float64) Streamline {
	n := len(traj)
	s := Streamline{X: make([]float64, n), Y: make([]float64, n), Width: make([]float64, n-1)}
	for k, p := range traj {
		s.X[k] = p[0]*f.dx + f.x0
		s.Y[k] = p[1]*f.dy + f.y0
		if k < n-1 {
			s.Width[k] = f.widthAt(p[0], p[1])
		}
	}
	cum := make([]float64, n-1)
	var total float64
	for k := 0; k < n-1; k++ {
		total += math.Hypot(s.X[k+1]-s.X[k], s.Y[k+1]-s.Y[k])
		cum[k] = total
	}
	s.Arrow = sort.SearchFloat64s(cum, total/2)
	return s
}

// streamMask records which coarse cells streamlines already pass through.
type streamMask struct {
	nx, ny  int
	cells   []bool
	traj    []int // cells taken by the line being integrated
	current int   // the cell the line is in now
}

func newStreamMask(nx, ny int) *streamMask {
	return &streamMask{nx: nx, ny: ny, cells: make([]bool, nx*ny)}
}

// visit moves the current line into cell c; it reports false when c
// belongs to another line (or to this one earlier).
func (m *streamMask) visit(c int) bool {
	if c == m.current {
		return true
	}
	if m.cells[c] {
		return false
	}
	m.cells[c] = true
	m.traj = append(m.traj, c)
	m.current = c
	return true
}

func (m *streamMask) undo() {
	for _, c := range m.traj {
		m.cells[c] = false
	}
}

// integrator follows one streamline at a time through f, claiming cells of m.
type integrator struct {
	f      *field
	m      *streamMask
	mx, my float64 // grid → mask coordinate factors
}

// maskCell rounds grid coordinates to the nearest mask cell, halves up.
func (in *integrator) maskCell(x, y float64) int {
	return int(y*in.my+0.5)*in.m.nx + int(x*in.mx+0.5)
}

// integrate traces a line through the seed (x0, y0) in both directions and
// returns it in grid coordinates, or nil when it is too short.
func (in *integrator) integrate(x0, y0 float64) [][2]float64 {
	in.m.traj = in.m.traj[:0]
	in.m.current = -1
	in.m.visit(in.maskCell(x0, y0))
	sb, back := in.rk12(x0, y0, -1)
	in.m.current = in.maskCell(x0, y0)
	sf, fwd := in.rk12(x0, y0, +1)
	if sb+sf <= minLength {
		in.m.undo()
		return nil
	}
	traj := make([][2]float64, 0, len(back)+len(fwd)-1)
	for k := len(back) - 1; k >= 0; k-- {
		traj = append(traj, back[k])
	}
	return append(traj, fwd[1:]...)
}

// rk12 is matplotlib's _integrate_rk12: Heun steps whose size adapts to
// keep the difference from an Euler step below maxError, limited to one
// mask cell. It returns the arc length travelled and the points visited.
func (in *integrator) rk12(x, y, sign float64) (float64, [][2]float64) {
	f := in.f
	maxds := math.Min(math.Min(1/float64(in.m.nx), 1/float64(in.m.ny)), 0.1)
	ds, total := maxds, 0.0
	var traj [][2]float64
	for {
		if !f.within(x, y) {
			break
		}
		traj = append(traj, [2]float64{x, y})
		k1x, k1y, inside, ok := f.step(x, y, sign)
		if !ok {
			break
		}
		k2x, k2y, inside2, ok2 := f.step(x+ds*k1x, y+ds*k1y, sign)
		if !inside2 {
			total += in.eulerToBorder(&traj, k1x, k1y)
			break
		}
		if !inside || !ok2 {
			break
		}
		dx1, dy1 := ds*k1x, ds*k1y
		dx2, dy2 := ds*0.5*(k1x+k2x), ds*0.5*(k1y+k2y)
		err := math.Hypot((dx2-dx1)/float64(f.nx-1), (dy2-dy1)/float64(f.ny-1))
		if err < maxError {
			x += dx2
			y += dy2
			if !f.within(x, y) || !in.m.visit(in.maskCell(x, y)) {
				break
			}
			if total+ds > maxLength {
				break
			}
			total += ds
		}
		if err == 0 {
			ds = maxds
		} else {
			ds = math.Min(maxds, 0.85*ds*math.Sqrt(maxError/err))
		}
	}
	return total, traj
}

// eulerToBorder ends a line that would leave the grid with one Euler step,
// in direction (cx, cy), onto the border; it returns the step length.
func (in *integrator) eulerToBorder(traj *[][2]float64, cx, cy float64) float64 {
	p := (*traj)[len(*traj)-1]
	toBorder := func(pos, c float64, n int) float64 {
		switch {
		case c == 0:
			return math.Inf(1)
		case c < 0:
			return pos / -c
		default:
			return (float64(n-1) - pos) / c
		}
	}
	ds := math.Min(toBorder(p[0], cx, in.f.nx), toBorder(p[1], cy, in.f.ny))
	*traj = append(*traj, [2]float64{p[0] + cx*ds, p[1] + cy*ds})
	return ds
}

// spiral lists the cells of an nx × ny mask from the border inwards, the
// seed order of matplotlib's _gen_starting_points.
func spiral(nx, ny int) [][2]int {
	xfirst, yfirst, xlast, ylast := 0, 1, nx-1, ny-1
	x, y := 0, 0
	dir := 0 // right, up, left, down
	out := make([][2]int, 0, nx*ny)
	for range nx * ny {
		out = append(out, [2]int{x, y})
		switch dir {
		case 0:
			x++
			if x >= xlast {
				xlast--
				dir = 1
			}
		case 1:
			y++
			if y >= ylast {
				ylast--
				dir = 2
			}
		case 2:
			x--
			if x <= xfirst {
				xfirst++
				dir = 3
			}
		case 3:
			y--
			if y <= yfirst {
				yfirst++
				dir = 0
			}
		}
	}
	return out
}
