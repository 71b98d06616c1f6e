package velo

import (
	"context"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/velo-rna/velo/anndata"
	"github.com/velo-rna/velo/array"
	"github.com/velo-rna/velo/graph"
	"github.com/velo-rna/velo/internal/parallel"
	"github.com/velo-rna/velo/preprocess"
	"github.com/velo-rna/velo/velocity"
)

// Options configures Run. The zero value is scVelo's tutorial recipe:
// stochastic mode, min_shared_counts=20, n_top_genes=2000, 30 PCs and 30
// neighbours, velocity graph, UMAP projection, confidence and pseudotime.
type Options struct {
	// Mode is "stochastic" (default, as scVelo) or "deterministic".
	Mode string
	// FitOffset fits an intercept in the steady-state regression.
	FitOffset bool
	// MinSharedCounts is the shared-count gene filter; 0 means the tutorial
	// default 20, a negative value turns the filter off.
	MinSharedCounts int
	// NTopGenes highly variable genes are kept; 0 means 2000, negative none.
	NTopGenes int
	// NPCs principal components (0 = 30) and NNeighbors neighbours counting
	// the cell itself (0 = 30).
	NPCs, NNeighbors int
	// GammaBootstrap resamples the fitted cells this many times for a
	// bootstrap interval of γ (0 = off).
	GammaBootstrap int
	// SkipGraph stops after the velocity fit (no graph, embedding,
	// confidence or pseudotime).
	SkipGraph bool
	// Seed drives every random choice (PCA start, UMAP, bootstrap).
	Seed uint64
	// Threads bounds the worker goroutines (0 = all cores). Results do not
	// depend on it.
	Threads int
	// Logf receives progress messages; nil is silent.
	Logf func(format string, args ...any)
	// Progress returns a callback for a long step's progress bar; nil draws
	// nothing.
	Progress func(step string) func(done, total int)
	// Store, when set, is called once the genes are chosen (rows × cols is
	// the final shape) and Run then keeps the big matrices there rather than
	// in a: the moments and the velocity model run gene block by gene
	// block, writing Ms, Mu, velocity and variance_velocity as they are
	// computed, and X and the count layers are written once no longer
	// needed. Memory then no longer grows with cells × genes dense layers;
	// the numbers are the same.
	Store func(rows, cols int) (LayerStore, error)
	// BlockGenes is the number of genes per block with a Store (0 = as
	// many as keep one block of a dense layer within 256 MB).
	BlockGenes int
}

// StageTiming is the wall time of one pipeline stage.
type StageTiming struct {
	Stage   string
	Seconds float64
	// Background marks a stage that ran beside the others (UMAP): its
	// seconds overlap theirs, so the run's wall time is the sum of the
	// other stages only.
	Background bool
}

// Run applies the standard recipe to a in place and returns the time taken
// by each stage. Stages whose results the input already holds are reused
// as scVelo does: normalised layers are not normalised again, an existing
// PCA or a neighbour graph with enough neighbours is kept, and an existing
// X_umap is used for the projection.
func Run(ctx context.Context, a *anndata.AnnData, opts Options) ([]StageTiming, error) {
	logf := opts.Logf
	if logf == nil {
		logf = func(string, ...any) {}
	}
	if err := CheckCounts(a); err != nil {
		return nil, err
	}
	if a.X == nil {
		// Files written straight from counters often carry only layers;
		// scVelo's recipe needs X, and spliced is what loom readers put there.
		logf("X is missing: using the spliced counts as X.")
		a.X = copyValues(a.Layers["spliced"])
	}
	var timings []StageTiming
	stage := func(name string, fn func() error) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		start := time.Now()
		if err := fn(); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		timings = addSeconds(timings, name, time.Since(start).Seconds())
		return nil
	}
	th := opts.Threads
	nPCs := orDefault(opts.NPCs, 30)
	nNeighbors := orDefault(opts.NNeighbors, 30)

	steps := []step{
		{"filter_and_normalize", func() error { return filterAndNormalize(ctx, a, opts, logf) }},
		{"pca", func() error {
			return preprocess.PCA(ctx, a, preprocess.PCAOptions{NComps: nPCs, Seed: opts.Seed, Threads: th, Logf: logf})
		}},
		{"neighbors", func() error {
			if hasNeighbors(a, nNeighbors) {
				logf("Using the stored neighbour graph.")
				return nil
			}
			return preprocess.Neighbors(ctx, a, preprocess.NeighborsOptions{NNeighbors: nNeighbors, NPCs: preprocess.Int(nPCs), Seed: opts.Seed, Threads: th, Logf: logf})
		}},
	}
	mo := preprocess.MomentsOptions{NNeighbors: nNeighbors, NPCs: preprocess.Int(nPCs), Seed: opts.Seed, Threads: th, Logf: logf}
	vo := velocity.Options{Mode: opts.Mode, FitOffset: opts.FitOffset, GammaBootstrap: opts.GammaBootstrap, Seed: opts.Seed, Threads: th, Logf: logf}
	if opts.Store == nil {
		steps = append(steps, []step{
			{"moments", func() error { return preprocess.Moments(ctx, a, mo) }},
			{"velocity", func() error { return velocity.Velocity(ctx, a, vo) }},
		}...)
	}
	for _, s := range steps {
		if err := stage(s.name, s.fn); err != nil {
			return timings, err
		}
	}
	// UMAP needs only the neighbour graph, and only the velocity
	// embedding reads its result, so it runs beside the fit: those stages
	// leave a core idle part of the time (I/O, serial steps).
	var bg *umapJob
	if !opts.SkipGraph {
		var err error
		if bg, err = startUMAP(ctx, a, opts); err != nil {
			return timings, fmt.Errorf("umap: %w", err)
		}
		if bg != nil {
			defer bg.cancel()
		}
	}
	var store *asyncStore
	if opts.Store != nil {
		var err error
		store, err = runInBlocks(ctx, a, opts, mo, vo, &timings)
		if store != nil {
			defer store.close()
		}
		if err != nil {
			return timings, err
		}
	}
	// The graph stages run on g: a itself, or with a store a view of the
	// velocity genes that shares a's obs, obsm, obsp and uns. The projection
	// on UMAP, the one step that needs UMAP's result, comes last, so that
	// UMAP has the longest time to finish in the background; the stages do
	// not depend on each other's results otherwise.
	g := a
	var view *graphView
	var velocityRows graph.RowsFunc // nil: the velocity layer is in g
	steps = steps[:0]
	embed := func(basis string) error {
		if _, ok := g.Obsm["X_"+basis]; !ok {
			return nil
		}
		return graph.VelocityEmbedding(ctx, g, graph.EmbeddingOptions{Basis: basis, Threads: th})
	}
	if !opts.SkipGraph {
		if store != nil {
			steps = append(steps, step{stageGraphLayers, func() error {
				var err error
				if view, err = newGraphView(a, store); err != nil {
					return err
				}
				g, velocityRows = view.AnnData, view.velocityRows
				return nil
			}})
		}
		steps = append(steps, []step{
			{"velocity_graph", func() error {
				return graph.VelocityGraph(ctx, g, graph.GraphOptions{VelocityRows: velocityRows, Threads: th})
			}},
			{"velocity_confidence_transition", func() error {
				return graph.VelocityConfidenceTransition(ctx, g, graph.TransitionConfidenceOptions{VelocityRows: velocityRows, Threads: th})
			}},
		}...)
		if store != nil {
			steps = append(steps, step{stageVelocityLayer, func() error { return view.swapToVelocity() }})
		}
		steps = append(steps, []step{
			{"velocity_confidence", func() error {
				return graph.VelocityConfidence(ctx, g, graph.ConfidenceOptions{SkipTransition: true, Threads: th})
			}},
			{"velocity_pseudotime", func() error {
				if g != a {
					// The view's layers are copies of what the store
					// holds, and the remaining stages need only the
					// graphs.
					clear(g.Layers)
				}
				return graph.VelocityPseudotime(ctx, g, graph.PseudotimeOptions{Threads: th})
			}},
			// The PCA projection does not need UMAP, so it comes first.
			{"velocity_embedding", func() error { return embed("pca") }},
			{stageUMAPWait, func() error {
				if bg == nil {
					logf("Using the stored X_umap embedding.")
					return nil
				}
				bg.boost(parallel.Threads(th))
				err := bg.finish(a)
				timings = append(timings, StageTiming{Stage: "umap", Seconds: bg.seconds, Background: true})
				return err
			}},
			{"velocity_embedding", func() error { return embed("umap") }},
		}...)
	}
	for _, s := range steps {
		if err := stage(s.name, s.fn); err != nil {
			return timings, err
		}
	}
	if store != nil {
		// Writes still queued (all of them when the graph stages are
		// skipped) count as storing time.
		start := time.Now()
		if err := store.close(); err != nil {
			return timings, err
		}
		timings = addSeconds(timings, stageStore, time.Since(start).Seconds())
	}
	return timings, nil
}

// addSeconds adds secs to the stage's entry of timings, or appends one: a
// stage that runs in parts (block by block, or the velocity embedding
// basis by basis) keeps one entry, where it first ran.
func addSeconds(timings []StageTiming, stage string, secs float64) []StageTiming {
	for k := range timings {
		if timings[k].Stage == stage {
			timings[k].Seconds += secs
			return timings
		}
	}
	return append(timings, StageTiming{Stage: stage, Seconds: secs})
}

// step is one named, timed stage of Run.
type step struct {
	name string
	fn   func() error
}

// filterAndNormalize runs scVelo's filter_and_normalize unless the input
// has been through it already (X logged, or spliced no longer counts), in
// which case filtering again would remove genes scVelo kept.
func filterAndNormalize(ctx context.Context, a *anndata.AnnData, opts Options, logf func(string, ...any)) error {
	if _, logged := a.Uns["log1p"]; logged || !looksLikeCounts(a.Layers["spliced"]) {
		logf("Input is already filtered and normalised: keeping its %d genes.", a.NVars())
		return nil
	}
	o := preprocess.FilterAndNormalizeOptions{Threads: opts.Threads, Logf: logf}
	switch {
	case opts.MinSharedCounts == 0:
		o.MinSharedCounts = preprocess.Int(20)
	case opts.MinSharedCounts > 0:
		o.MinSharedCounts = preprocess.Int(opts.MinSharedCounts)
	}
	switch {
	case opts.NTopGenes == 0:
		o.NTopGenes = 2000
	case opts.NTopGenes > 0:
		o.NTopGenes = opts.NTopGenes
	}
	return preprocess.FilterAndNormalize(ctx, a, o)
}

// looksLikeCounts applies scVelo's test for un-normalised data: every entry
// of the first five rows is within 1e-3 of an integer.
func looksLikeCounts(m array.Matrix) bool {
	rows, _ := m.Shape()
	for i := 0; i < min(rows, 5); i++ {
		var vals []float32
		switch t := m.(type) {
		case *array.CSR:
			_, vals = t.RowView(i)
		case *array.Dense:
			vals = t.Row(i)
		}
		for _, v := range vals {
			f := float64(v)
			if r := f - math.Floor(f); r > 1e-3 && r < 1-1e-3 {
				return false
			}
		}
	}
	return true
}

// hasNeighbors reports whether a holds a neighbour graph built with at least
// k neighbours, which scVelo's moments step reuses rather than recomputes.
func hasNeighbors(a *anndata.AnnData, k int) bool {
	_, hasDist := a.Obsp["distances"]
	_, hasConn := a.Obsp["connectivities"]
	nb, _ := a.Uns["neighbors"].(map[string]any)
	params, _ := nb["params"].(map[string]any)
	var stored int64
	switch v := params["n_neighbors"].(type) {
	case int64:
		stored = v
	case float64:
		stored = int64(v)
	}
	return hasDist && hasConn && stored >= int64(k)
}

// copyValues returns a copy of m's values. A sparse copy shares m's
// structure (Indptr and Indices), which the steps that later change X
// (normalisation, log1p, gene filtering) keep shared: at a million cells
// that saves a third of the counts' memory.
func copyValues(m array.Matrix) array.Matrix {
	switch t := m.(type) {
	case *array.CSR:
		return &array.CSR{Rows: t.Rows, Cols: t.Cols, Indptr: t.Indptr, Indices: t.Indices, Data: slices.Clone(t.Data)}
	case *array.Dense:
		return t.Clone()
	}
	panic("velo: unknown matrix type")
}

func orDefault(v, def int) int {
	if v <= 0 {
		return def
	}
	return v
}
