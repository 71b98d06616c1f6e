package velocity

import (
	"fmt"
	"math"
)

// Model names accepted in Options.Mode.
const (
	ModeStochastic    = "stochastic"    // first and second moments (scVelo's default)
	ModeDeterministic = "deterministic" // steady-state ratio on first moments
	ModeSteadyState   = "steady_state"  // scVelo's alias of deterministic
)

// Options configures Velocity. The zero value gives scVelo 0.3.3's
// tl.velocity defaults.
type Options struct {
	// Mode is the model: ModeStochastic (default, as tl.velocity's
	// mode='stochastic'), ModeDeterministic or its alias ModeSteadyState.
	// It is recorded unchanged in uns velocity_params["mode"], which later
	// steps read.
	Mode string
	// FitOffset fits an intercept for the first-moment relation
	// (tl.velocity fit_offset, default false).
	FitOffset bool
	// FitOffset2 fits an intercept for the second-moment relation in the
	// stochastic model (tl.velocity fit_offset2, default false).
	FitOffset2 bool
	// Perc holds the lower and upper percentiles of the extreme-quantile fit
	// (tl.velocity perc, default [5, 95]; the zero value means the default).
	// Without FitOffset only the upper one is used, as in scVelo.
	Perc [2]float64
	// MinR2 is the r² a velocity gene must exceed (tl.velocity min_r2,
	// default 0.01; zero means the default, math.Inf(-1) disables the test).
	MinR2 float64
	// MinRatio is the γ a velocity gene must exceed (scVelo's fixed
	// Velocity min_ratio 0.01; zero means the default, math.Inf(-1) disables
	// the test).
	MinRatio float64
	// GammaBootstrap is the number of bootstrap resamples for a percentile
	// interval of γ (velo's addition; 0, the default, skips it).
	GammaBootstrap int
	// Seed seeds the bootstrap. Each gene draws from its own stream derived
	// from Seed and the gene's position, so results do not depend on Threads.
	Seed uint64
	// Threads is the number of goroutines (0 = runtime.GOMAXPROCS(0)).
	Threads int
	// Logf receives scVelo's warnings (few velocity genes, the r² fallback);
	// nil discards them.
	Logf func(format string, args ...any)
}

// Defaults of scVelo 0.3.3 (tl.velocity and class Velocity).
var (
	defaultPerc     = [2]float64{5, 95}
	defaultMinR2    = 0.01
	defaultMinRatio = 0.01
)

// resolved returns the options with defaults filled in, or an error naming
// the invalid option.
func (o Options) resolved() (Options, error) {
	switch o.Mode {
	case "":
		o.Mode = ModeStochastic
	case ModeStochastic, ModeDeterministic, ModeSteadyState:
	default:
		return o, fmt.Errorf("velocity: mode %q is not one of %q, %q, %q", o.Mode, ModeStochastic, ModeDeterministic, ModeSteadyState)
	}
	if o.Perc == [2]float64{} {
		o.Perc = defaultPerc
	}
	for _, p := range o.Perc {
		if !(p >= 0 && p <= 100) {
			return o, fmt.Errorf("velocity: percentile %v is outside [0, 100]", p)
		}
	}
	if o.MinR2 == 0 {
		o.MinR2 = defaultMinR2
	}
	if o.MinRatio == 0 {
		o.MinRatio = defaultMinRatio
	}
	if math.IsNaN(o.MinR2) || math.IsNaN(o.MinRatio) {
		return o, fmt.Errorf("velocity: MinR2 and MinRatio must not be NaN")
	}
	if o.GammaBootstrap < 0 {
		return o, fmt.Errorf("velocity: GammaBootstrap is %d, want ≥ 0", o.GammaBootstrap)
	}
	if o.Logf == nil {
		o.Logf = func(string, ...any) {}
	}
	return o, nil
}

// stochastic reports whether the second-moment model runs.
func (o Options) stochastic() bool { return o.Mode == ModeStochastic }

// percValue is perc as scVelo stores it in uns velocity_params: the list the
// caller passed, integers when both are whole numbers (the default [5, 95]
// is written as int64[2]).
func (o Options) percValue() any {
	if o.Perc[0] == math.Trunc(o.Perc[0]) && o.Perc[1] == math.Trunc(o.Perc[1]) {
		return []int64{int64(o.Perc[0]), int64(o.Perc[1])}
	}
	return []float64{o.Perc[0], o.Perc[1]}
}
