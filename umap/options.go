package umap

import (
	"fmt"
	"math"
	"runtime"
)

// Options controls Embed. The zero value gives scanpy's tl.umap defaults.
type Options struct {
	// MinDist is the smallest distance between embedded points; 0 means 0.5,
	// scanpy's tl.umap default (umap-learn's own default is 0.1).
	MinDist float64
	// Spread is the scale of embedded points; 0 means 1.0 (scanpy and umap-learn).
	Spread float64
	// NEpochs is the number of optimisation epochs; 0 means 500 for graphs of
	// at most 10 000 vertices and 200 above, umap-learn's default_epochs.
	NEpochs int
	// LearningRate is the initial SGD learning rate (umap-learn's alpha); it
	// decays linearly to 0 over the epochs. 0 means 1.0 (scanpy's alpha).
	LearningRate float64
	// RepulsionStrength weighs negative samples (umap-learn's gamma); 0 means
	// 1.0 (scanpy's gamma).
	RepulsionStrength float64
	// NegativeSampleRate is the number of negative samples per positive edge
	// sample; 0 means 5 (scanpy and umap-learn).
	NegativeSampleRate int
	// Seed selects the random streams (noise on the spectral layout, negative
	// samples, fallback initialisation). scanpy's default random_state is 0,
	// which is also velo's default, but the streams differ from umap-learn's.
	Seed uint64
	// Threads is the number of goroutines; 0 means runtime.GOMAXPROCS(0). The
	// result does not depend on it.
	Threads int
	// ThreadsNow, when set, is called before every optimisation epoch and
	// its result (at least 1) replaces Threads for that epoch: a caller
	// running the embedding beside other work can give it more cores once
	// they are free. The result does not depend on it.
	ThreadsNow func() int
	// Progress, when not nil, is called after each epoch with the number of
	// epochs done and the total, from the goroutine that called Embed.
	Progress func(done, total int)
}

// defaultEpochs is umap-learn's default_epochs for a graph of n vertices.
func defaultEpochs(n int) int {
	if n <= 10000 {
		return 500
	}
	return 200
}

// resolved returns o with defaults filled in, or an error naming the first
// option out of range.
func (o Options) resolved(n int) (Options, error) {
	check := func(name string, v float64) error {
		if v < 0 || math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("umap: option %s = %v must be a finite non-negative number", name, v)
		}
		return nil
	}
	for _, f := range []struct {
		name string
		v    float64
	}{{"MinDist", o.MinDist}, {"Spread", o.Spread}, {"LearningRate", o.LearningRate},
		{"RepulsionStrength", o.RepulsionStrength}} {
		if err := check(f.name, f.v); err != nil {
			return o, err
		}
	}
	if o.NEpochs < 0 {
		return o, fmt.Errorf("umap: option NEpochs = %d must not be negative", o.NEpochs)
	}
	if o.NegativeSampleRate < 0 {
		return o, fmt.Errorf("umap: option NegativeSampleRate = %d must not be negative", o.NegativeSampleRate)
	}
	if o.Threads < 0 {
		return o, fmt.Errorf("umap: option Threads = %d must not be negative", o.Threads)
	}
	if o.MinDist == 0 {
		o.MinDist = 0.5
	}
	if o.Spread == 0 {
		o.Spread = 1
	}
	if o.NEpochs == 0 {
		o.NEpochs = defaultEpochs(n)
	}
	if o.LearningRate == 0 {
		o.LearningRate = 1
	}
	if o.RepulsionStrength == 0 {
		o.RepulsionStrength = 1
	}
	if o.NegativeSampleRate == 0 {
		o.NegativeSampleRate = 5
	}
	if o.Threads == 0 {
		o.Threads = runtime.GOMAXPROCS(0)
	}
	return o, nil
}
