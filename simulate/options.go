package simulate

import (
	"fmt"
	"math"
)

// Defaults of Options; scVelo has no simulator whose defaults velo must
// match, so these are chosen for a demonstration that runs in well under a
// second and still shows every gene program and fate.
const (
	// DefaultCells is the number of cells when Options.Cells is 0: enough
	// for a few hundred cells per fate.
	DefaultCells = 1000
	// DefaultGenes is the number of genes when Options.Genes is 0: enough
	// for dozens of genes of each program.
	DefaultGenes = 300
	// DefaultFates is the number of terminal fates when Options.Fates is 0.
	DefaultFates = 2
	// MaxAutoVelocityEntries is the largest cells × genes for which the dense
	// true_velocity layer is written when Options.TrueVelocity is Auto:
	// 1e7 float32 entries are 40 MB, beyond that the dense layer would
	// outweigh the sparse counts.
	MaxAutoVelocityEntries = 10_000_000
)

// Toggle switches an optional output on or off. Its zero value, Auto, lets
// the simulator decide from the size of the data.
type Toggle int

const (
	// Auto decides from the size of the data.
	Auto Toggle = iota
	// On always produces the output.
	On
	// Off never produces the output.
	Off
)

// Options configures Simulate. The zero value simulates DefaultCells cells
// and DefaultGenes genes with seed 0 and two fates.
type Options struct {
	// Cells is the number of cells; 0 means DefaultCells.
	Cells int
	// Genes is the number of genes; 0 means DefaultGenes.
	Genes int
	// Seed selects the random numbers (math/rand/v2's PCG, one stream for
	// the genes, one for the cells, one per block of 256 cells for the
	// counts). Every seed, 0 included, is valid. The same seed gives the same
	// bits for any Threads, and on any machine where math.Exp rounds alike:
	// Go's amd64 Exp uses FMA only when the CPU has it, and other
	// architectures have their own, which may change the last bit of float
	// outputs such as true_size_factor; that this flips a count is far less
	// likely than one in a million per data set.
	Seed uint64
	// Fates is the number of terminal fates, 2 or 3; 0 means DefaultFates.
	Fates int
	// TrueVelocity controls the dense layer "true_velocity". Auto writes it
	// when Cells × Genes ≤ MaxAutoVelocityEntries.
	TrueVelocity Toggle
	// Threads is the number of goroutines sampling counts; 0 means
	// runtime.GOMAXPROCS(0). The result does not depend on it.
	Threads int
}

// resolved returns the options with defaults filled in, or an error naming
// the first invalid field.
func (o Options) resolved() (Options, error) {
	if o.Cells < 0 {
		return o, fmt.Errorf("simulate: cells = %d, want a positive number (0 for %d)", o.Cells, DefaultCells)
	}
	if o.Genes < 0 || o.Genes > math.MaxInt32 {
		return o, fmt.Errorf("simulate: genes = %d, want 1 to %d (0 for %d)", o.Genes, math.MaxInt32, DefaultGenes)
	}
	if o.Fates != 0 && o.Fates != 2 && o.Fates != 3 {
		return o, fmt.Errorf("simulate: fates = %d, want 2 or 3 (0 for %d)", o.Fates, DefaultFates)
	}
	if o.TrueVelocity < Auto || o.TrueVelocity > Off {
		return o, fmt.Errorf("simulate: true-velocity toggle %d is not Auto, On or Off", o.TrueVelocity)
	}
	if o.Threads < 0 {
		return o, fmt.Errorf("simulate: threads = %d, want 0 (all cores) or more", o.Threads)
	}
	if o.Cells == 0 {
		o.Cells = DefaultCells
	}
	if o.Genes == 0 {
		o.Genes = DefaultGenes
	}
	if o.Fates == 0 {
		o.Fates = DefaultFates
	}
	return o, nil
}

// wantVelocity reports whether the true_velocity layer is produced for
// resolved options.
func (o Options) wantVelocity() bool {
	switch o.TrueVelocity {
	case On:
		return true
	case Off:
		return false
	}
	return float64(o.Cells)*float64(o.Genes) <= MaxAutoVelocityEntries
}
