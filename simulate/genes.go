package simulate

import (
	"math"
	"math/rand/v2"
)

// program is the shape of a gene's transcription rate along the trajectory.
type program int

const (
	// constant genes are transcribed at one rate throughout (housekeeping).
	constant program = iota
	// induced genes switch on in the trunk and stay on in every fate.
	induced
	// repressed genes are on at the start and switch off in the trunk.
	repressed
	// transient genes switch on and off again within the trunk.
	transient
	// fateInduced genes switch on after the branch point in one fate only.
	fateInduced
	// fateSwitch genes switch on at a low rate late in the trunk, then rise
	// to their full rate in one fate and switch off in the others.
	fateSwitch
)

// programNames are the categories of var "true_program", in program order.
var programNames = []string{"constant", "induced", "repressed", "transient", "fate-induced", "fate-switch"}

// programPattern assigns programs to each block of 20 genes before the genes
// are shuffled, so every program is present in fixed proportions (fate-
// specific programs, which carry the branching, get the largest share).
var programPattern = [20]program{
	constant, constant, constant,
	induced, induced, induced,
	repressed, repressed, repressed,
	transient, transient, transient,
	fateInduced, fateInduced, fateInduced, fateInduced, fateInduced,
	fateSwitch, fateSwitch, fateSwitch,
}

// Kinetic parameter ranges.
const (
	// beta is the splicing rate, 1 for every gene as in scVelo, which fixes
	// the unit of time and makes γ the steady-state ratio u/s.
	beta = 1.0
	// gammaMin and gammaMax bound the log-uniform degradation rates: spliced
	// mRNA lives 0.67 to 33 times as long as unspliced mRNA. Real data have
	// gene-wise u/s ratios spread over more than two decades with a median
	// well below 0.1 (pancreas); this range gives unspliced shares of all
	// UMIs (12–14%) and of non-zero entries close to pancreas's (17%, 9%).
	gammaMin, gammaMax = 0.03, 1.5
	// alphaLogMean and alphaLogSigma set the log-normal transcription rates,
	// in unspliced UMIs per unit time of an average cell. They are tuned so
	// that about 30% of spliced and 10% of unspliced counts are non-zero, as
	// in droplet data (pancreas: 33% and 9%).
	alphaLogMean, alphaLogSigma = -1.3, 0.8
	// fateSwitchTrunkLevel is the fraction of its full rate at which a
	// fate-switch gene is transcribed before the branch point.
	fateSwitchTrunkLevel = 0.4
)

// gene holds the true kinetics of one gene.
type gene struct {
	program program
	fate    int     // fate the program acts in for fate-specific programs, −1 otherwise
	alpha   float64 // largest transcription rate
	gamma   float64
	paths   []path // one per fate; all agree before tBranch
}

// drawGenes draws n genes' programs and kinetic parameters.
func drawGenes(r *rand.Rand, n, fates int) []gene {
	programs := make([]program, n)
	for g := range programs {
		programs[g] = programPattern[g%len(programPattern)]
	}
	r.Shuffle(n, func(i, j int) { programs[i], programs[j] = programs[j], programs[i] })

	seen := make([]int, len(programNames)) // genes of each program so far, to rotate fates
	genes := make([]gene, n)
	for g, p := range programs {
		gm := gene{
			program: p,
			fate:    -1,
			gamma:   math.Exp(uniform(r, math.Log(gammaMin), math.Log(gammaMax))),
			alpha:   math.Exp(alphaLogMean + alphaLogSigma*r.NormFloat64()),
		}
		if p == fateInduced || p == fateSwitch {
			gm.fate = seen[p] % fates
		}
		seen[p]++
		gm.paths = gm.schedule(r, fates)
		genes[g] = gm
	}
	return genes
}

// schedule draws the gene's switching times and solves its kinetics along
// each fate. Switches shared by all lineages fall before tBranch, so trunk
// cells have the same kinetics whichever fate they are drawn with.
func (gm gene) schedule(r *rand.Rand, fates int) []path {
	a := gm.alpha
	alpha0 := 0.0
	var trunk []switchPoint // switches every lineage shares, all before tBranch
	own, others := []switchPoint(nil), []switchPoint(nil)
	switch gm.program {
	case constant:
		alpha0 = a
	case induced:
		trunk = []switchPoint{{uniform(r, 0, 10), a}}
	case repressed:
		alpha0 = a
		trunk = []switchPoint{{uniform(r, 1, 11), 0}}
	case transient:
		on := uniform(r, 0, 7)
		trunk = []switchPoint{{on, a}, {on + uniform(r, 2, 4), 0}}
	case fateInduced:
		own = []switchPoint{{uniform(r, tBranch, tBranch+5), a}}
	case fateSwitch:
		trunk = []switchPoint{{uniform(r, 5, 11), fateSwitchTrunkLevel * a}}
		own = []switchPoint{{uniform(r, tBranch, tBranch+3), a}}
		others = []switchPoint{{uniform(r, tBranch+0.5, tBranch+4), 0}}
	}
	paths := make([]path, fates)
	for f := range paths {
		tail := others
		if f == gm.fate {
			tail = own
		}
		sw := append(append([]switchPoint(nil), trunk...), tail...)
		paths[f] = newPath(alpha0, gm.gamma, sw)
	}
	return paths
}

// uniform returns a uniform draw from [lo, hi).
func uniform(r *rand.Rand, lo, hi float64) float64 {
	return lo + (hi-lo)*r.Float64()
}
