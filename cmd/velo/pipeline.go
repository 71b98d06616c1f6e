package main

import (
	"context"
	"fmt"
	"os"
	"runtime/debug"
	"time"

	"github.com/velo-rna/velo"
	"github.com/velo-rna/velo/format/h5ad"
)

// Names of the I/O stages around the pipeline, as in scVelo's timings.json.
const (
	stageRead  = "read"
	stageWrite = "write"
)

// runFile is "velo run": it reads input, runs the pipeline with the output
// file as its store (the dense layers go into it block by block while they
// are computed, so memory does not grow with them) and completes the
// output. It returns every stage's seconds, read and write included, and
// the shape of the result.
func runFile(ctx context.Context, g *globals, input, output, alevinCounts string, p velo.Options) (timings []velo.StageTiming, cells, genes int, err error) {
	r := g.reporter()
	start := time.Now()
	a, err := readInput(g, input, alevinCounts)
	if err != nil {
		return nil, 0, 0, err
	}
	timings = []velo.StageTiming{{Stage: stageRead, Seconds: time.Since(start).Seconds()}}
	r.Logf("Read %s: %d cells × %d genes.", input, a.NObs(), a.NVars())
	leanGC(a.NObs(), a.NVars())

	var out *h5ad.Stream
	p.Store = func(rows, cols int) (velo.LayerStore, error) {
		var err error
		out, err = h5ad.Create(output, rows, cols)
		return out, err
	}
	stages, err := velo.Run(ctx, a, p)
	timings = append(timings, stages...)
	if err != nil {
		abort(out)
		return nil, 0, 0, fmt.Errorf("%s: %w", input, err)
	}
	start = time.Now()
	if err := out.Finish(a); err != nil {
		abort(out)
		return nil, 0, 0, err
	}
	timings = append(timings, velo.StageTiming{Stage: stageWrite, Seconds: time.Since(start).Seconds()})
	r.Logf("Wrote %s (%d cells × %d genes).", output, a.NObs(), a.NVars())
	return timings, a.NObs(), a.NVars(), nil
}

// leanGCValues is the size of data (cells × genes) from which leanGC
// collects more often: about 50,000 cells of 2000 genes.
const leanGCValues = 100_000_000

// leanGC makes the garbage collector start when the heap has grown by a
// tenth rather than doubled, unless GOGC is set, for data of at least
// leanGCValues. velo's heap is mostly a few huge arrays without pointers,
// which a collection marks in a few operations each, so collecting often
// costs little, while the default growth means gigabytes of garbage at a
// million cells; on small data the default is faster.
func leanGC(cells, genes int) {
	if os.Getenv("GOGC") == "" && cells*genes >= leanGCValues {
		debug.SetGCPercent(10)
	}
}

// abort removes a partly written output, if any.
func abort(s *h5ad.Stream) {
	if s != nil {
		s.Abort()
	}
}
