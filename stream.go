package velo

import (
	"context"
	"fmt"
	"time"

	"github.com/velo-rna/velo/anndata"
	"github.com/velo-rna/velo/array"
	"github.com/velo-rna/velo/preprocess"
	"github.com/velo-rna/velo/velocity"
)

// LayerStore keeps the matrices a large run cannot hold in memory: with
// Options.Store, Run writes the dense layers Ms, Mu, velocity and
// variance_velocity there one block of genes at a time, as they are
// computed, and X and the count layers as soon as it no longer needs them.
// format/h5ad's Stream is one, writing straight into the output file.
type LayerStore interface {
	// WriteColumns stores block as columns [col0, col0+block.Cols) of a
	// dense layer.
	WriteColumns(layer string, col0 int, block *array.Dense) error
	// ReadColumns reads the given increasing columns of a stored layer.
	ReadColumns(layer string, cols []int) (*array.Dense, error)
	// WriteMatrix stores X ("X") or a whole layer.
	WriteMatrix(name string, m array.Matrix) error
}

// blockFloats bounds the values of one block of a dense layer (256 MB of
// float32): a gene block holds about eight such arrays at a time, and at a
// million cells this still gives 64 genes per block, which keeps the
// per-block overheads small.
const blockFloats = 64 << 20

// blockWidth is the number of genes per block for n cells and g genes.
func blockWidth(n, g int) int {
	return max(1, min(g, blockFloats/max(n, 1)))
}

// timer accumulates the seconds of stages that run interleaved, block by
// block, in the order they first ran.
type timer struct {
	order []string
	secs  map[string]float64
}

func (t *timer) add(stage string, since time.Time) {
	if t.secs == nil {
		t.secs = map[string]float64{}
	}
	if _, ok := t.secs[stage]; !ok {
		t.order = append(t.order, stage)
	}
	t.secs[stage] += time.Since(since).Seconds()
}

func (t *timer) timings() []StageTiming {
	out := make([]StageTiming, len(t.order))
	for k, s := range t.order {
		out[k] = StageTiming{s, t.secs[s]}
	}
	return out
}

// Stage names of the blocked path; moments and velocity are timed as in
// the in-memory path, writing to the store separately.
const (
	stageMoments  = "moments"
	stageVelocity = "velocity"
	stageStore    = "store_layers"
	// stageGraphLayers reads the velocity genes' Ms and velocity back
	// from the store for the graph stages.
	stageGraphLayers = "graph_layers"
)

// runInBlocks opens the store and runs fitInBlocks, adding its stage times
// to timings, and returns the store.
func runInBlocks(ctx context.Context, a *anndata.AnnData, opts Options, mo preprocess.MomentsOptions, vo velocity.Options, timings *[]StageTiming) (LayerStore, error) {
	store, err := opts.Store(a.NObs(), a.NVars())
	if err != nil {
		return nil, err
	}
	// Results of an earlier run in the input are replaced by the streamed
	// ones; like the in-memory path, a deterministic run keeps an earlier
	// variance_velocity.
	stale := []string{"Ms", "Mu", "velocity"}
	if stochastic(vo) {
		stale = append(stale, "variance_velocity")
	}
	for _, name := range stale {
		delete(a.Layers, name)
	}
	var t timer
	err = fitInBlocks(ctx, a, opts, store, mo, vo, &t)
	*timings = append(*timings, t.timings()...)
	return store, err
}

// fitInBlocks computes the moments and the velocity model gene block by
// gene block, writing X, the count layers and the four dense layers to
// store.
func fitInBlocks(ctx context.Context, a *anndata.AnnData, opts Options, store LayerStore, mo preprocess.MomentsOptions, vo velocity.Options, t *timer) error {
	if a.X != nil {
		start := time.Now()
		if err := store.WriteMatrix("X", a.X); err != nil {
			return err
		}
		a.X = nil
		t.add(stageStore, start)
	}
	start := time.Now()
	w, err := preprocess.MomentWeights(ctx, a, mo)
	if err != nil {
		return fmt.Errorf("moments: %w", err)
	}
	var w2 *array.CSR
	if stochastic(vo) {
		if w2, err = preprocess.SecondOrderWeights(a); err != nil {
			return err
		}
	}
	t.add(stageMoments, start)
	e, err := velocity.NewEstimator(a, vo)
	if err != nil {
		return err
	}
	s, u := a.Layers["spliced"], a.Layers["unspliced"]
	n, g := a.NObs(), a.NVars()
	width := blockWidth(n, g)
	if opts.BlockGenes > 0 {
		width = opts.BlockGenes
	}
	for {
		for lo := 0; lo < g; lo += width {
			hi := min(lo+width, g)
			if err := fitBlock(ctx, s, u, w, w2, lo, hi, e, store, opts.Threads, t); err != nil {
				return err
			}
		}
		start := time.Now()
		redo, err := e.Finish(a)
		if err != nil {
			return err
		}
		t.add(stageVelocity, start)
		if !redo {
			break
		}
	}

	start = time.Now()
	for _, name := range []string{"spliced", "unspliced"} {
		if err := store.WriteMatrix(name, a.Layers[name]); err != nil {
			return err
		}
		delete(a.Layers, name)
	}
	t.add(stageStore, start)
	return nil
}

// graphView returns a view of a restricted to the genes the velocity graph
// uses (those of var velocity_genes, or all), holding their Ms and velocity
// read back from store and sharing a's obs, obsm, obsp and uns, so that the
// graph stages can run on it and leave their results in a.
func graphView(a *anndata.AnnData, store LayerStore) (*anndata.AnnData, error) {
	genes, err := graphGenes(a)
	if err != nil {
		return nil, err
	}
	view := &anndata.AnnData{Layers: map[string]array.Matrix{}, Obs: a.Obs, Var: a.Var.Subset(genes),
		Obsm: a.Obsm, Varm: map[string]*array.Dense{}, Obsp: a.Obsp, Uns: a.Uns}
	for k, m := range a.Varm {
		view.Varm[k] = m.SelectRows(genes)
	}
	for _, name := range []string{"velocity", "Ms"} {
		m, err := store.ReadColumns(name, genes)
		if err != nil {
			return nil, err
		}
		view.Layers[name] = m
	}
	return view, nil
}

// fitBlock smooths genes [lo, hi) with the moment weights w (and w2 for
// the second-order moments), fits them and stores their layers.
func fitBlock(ctx context.Context, s, u array.Matrix, w, w2 *array.CSR, lo, hi int, e *velocity.Estimator, store LayerStore, threads int, t *timer) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	start := time.Now()
	sb, ub := columnRange(s, lo, hi), columnRange(u, lo, hi)
	ms := preprocess.Smooth(w, sb, threads)
	mu := preprocess.Smooth(w, ub, threads)
	t.add(stageMoments, start)

	start = time.Now()
	vel, vvar, err := e.Fit(ctx, velocity.Block{Start: lo, Ms: ms, Mu: mu,
		SecondOrder: func(genes []int) (*array.Dense, *array.Dense, error) {
			return preprocess.SmoothProduct(w2, sb, sb, genes, threads), preprocess.SmoothProduct(w2, sb, ub, genes, threads), nil
		}})
	if err != nil {
		return err
	}
	t.add(stageVelocity, start)

	start = time.Now()
	layers := []struct {
		name string
		m    *array.Dense
	}{{"Ms", ms}, {"Mu", mu}, {"velocity", vel}, {"variance_velocity", vvar}}
	for _, l := range layers {
		if l.m == nil {
			continue
		}
		if err := store.WriteColumns(l.name, lo, l.m); err != nil {
			return err
		}
	}
	t.add(stageStore, start)
	return nil
}

// columnRange returns columns [lo, hi) of m.
func columnRange(m array.Matrix, lo, hi int) array.Matrix {
	switch t := m.(type) {
	case *array.CSR:
		return t.ColumnRange(lo, hi)
	case *array.Dense:
		cols := make([]int, hi-lo)
		for k := range cols {
			cols[k] = lo + k
		}
		return t.SelectCols(cols)
	}
	panic("velo: unknown matrix type")
}

// graphGenes returns the genes scVelo's velocity graph and confidence use:
// those of var velocity_genes, or every gene when the column is absent
// (scVelo drops it when all or no genes qualify).
func graphGenes(a *anndata.AnnData) ([]int, error) {
	var genes []int
	if !a.Var.Has("velocity_genes") {
		genes = make([]int, a.NVars())
		for j := range genes {
			genes[j] = j
		}
		return genes, nil
	}
	keep, err := a.Var.Bool("velocity_genes")
	if err != nil {
		return nil, fmt.Errorf("var velocity_genes: %w", err)
	}
	for j, k := range keep {
		if k {
			genes = append(genes, j)
		}
	}
	return genes, nil
}

// stochastic reports whether vo selects the stochastic model (the default).
func stochastic(vo velocity.Options) bool {
	return vo.Mode == "" || vo.Mode == velocity.ModeStochastic
}
