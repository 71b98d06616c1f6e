package grid

// Options are the parameters of scVelo's compute_velocity_on_grid. The zero
// value reproduces scVelo's defaults for the grid plot
// (velocity_embedding_grid); set Stream for the stream plot.
type Options struct {
	// Density scales the number of grid points per axis, int(50·Density).
	// 0 means 1, scVelo's default for both the grid and the stream plot.
	Density float64

	// Smooth multiplies the mean grid spacing to give the standard deviation
	// of the Gaussian kernel. 0 means 0.5, scVelo's default.
	Smooth float64

	// NNeighbors is the number of cells each grid point averages over.
	// 0 means int(cells/50), scVelo's default. Unlike scVelo, which fails
	// with fewer than 50 cells, the count is clamped to [1, cells].
	NNeighbors int

	// MinMass is scVelo's min_mass. Grid mode keeps points whose kernel mass
	// exceeds MinMass·pct99(mass)/100; stream mode masks points slower than
	// 10^(MinMass−6). 0 means 1, scVelo's default; scVelo's min_mass=0 is
	// matched to rounding by any tiny positive value.
	MinMass float64

	// NoAutoscale skips the division of grid mode's vectors by three times
	// matplotlib's quiver autoscale (scVelo autoscale=False). Stream mode
	// never autoscales, as in scVelo.
	NoAutoscale bool

	// AxesAspect is the height/width ratio, in pixels, of the axes the
	// autoscale assumes (spec §A15.5). 0 means 369.6/496, matplotlib's
	// default figure and subplot parameters, which is what scVelo's stored
	// reference outputs used.
	AxesAspect float64

	// Stream selects scVelo's adjust_for_stream: no mass cutoff or
	// autoscale; instead points that are too slow or whose neighbours move
	// too little are masked and their U set to NaN.
	Stream bool

	// CutoffPerc is the percentile of the neighbour speed L below which
	// stream mode masks points. 0 means 5, scVelo's default; a negative
	// value disables the cutoff (scVelo's cutoff_perc=0 masks nothing
	// either, since no value lies below the minimum).
	CutoffPerc float64

	// Threads is the number of goroutines for the neighbour search;
	// 0 means runtime.GOMAXPROCS(0). Results do not depend on it.
	Threads int
}

// defaultAxesAspect is matplotlib's default axes height/width in pixels:
// a 6.4×4.8 inch figure with subplot bounds left .125, right .9,
// bottom .11, top .88 gives (4.8·0.77)/(6.4·0.775) = 369.6/496.
const defaultAxesAspect = 369.6 / 496

// axesMargin is matplotlib's rcParams axes.xmargin and axes.ymargin, which
// widen the autoscaled data limits of the throw-away quiver plot.
const axesMargin = 0.05

func (o Options) density() float64 {
	if o.Density == 0 {
		return 1
	}
	return o.Density
}

func (o Options) smooth() float64 {
	if o.Smooth == 0 {
		return 0.5
	}
	return o.Smooth
}

func (o Options) minMass() float64 {
	if o.MinMass == 0 {
		return 1
	}
	return o.MinMass
}

func (o Options) aspect() float64 {
	if o.AxesAspect == 0 {
		return defaultAxesAspect
	}
	return o.AxesAspect
}

func (o Options) cutoffPerc() float64 {
	if o.CutoffPerc == 0 {
		return 5
	}
	return o.CutoffPerc
}

func (o Options) neighbors(cells int) int {
	k := o.NNeighbors
	if k == 0 {
		k = cells / 50
	}
	return max(1, min(k, cells))
}
