package velo

import (
	"context"
	"fmt"
	"math"
	"runtime/debug"
	"slices"
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
	// ReadRows reads rows [lo, hi) of the given increasing columns of a
	// stored layer.
	ReadRows(layer string, lo, hi int, cols []int) (*array.Dense, error)
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
type timer struct{ list []StageTiming }

func (t *timer) add(stage string, since time.Time) {
	t.list = addSeconds(t.list, stage, time.Since(since).Seconds())
}

// Stage names of the blocked path; moments and velocity are timed as in
// the in-memory path, writing to the store separately.
const (
	stageMoments  = "moments"
	stageVelocity = "velocity"
	stageStore    = "store_layers"
	// stageGraphLayers reads the velocity genes' Ms back from the store
	// for the graph stages, and stageVelocityLayer their velocity, once
	// the stages that need Ms are done.
	stageGraphLayers   = "graph_layers"
	stageVelocityLayer = "velocity_layer"
)

// runInBlocks opens the store and runs fitInBlocks, adding its stage times
// to timings. It returns the store behind a writer of its own, which may
// still be writing: the caller closes it, also after an error.
func runInBlocks(ctx context.Context, a *anndata.AnnData, opts Options, mo preprocess.MomentsOptions, vo velocity.Options, timings *[]StageTiming) (*asyncStore, error) {
	s, err := opts.Store(a.NObs(), a.NVars())
	if err != nil {
		return nil, err
	}
	store := newAsyncStore(s)
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
	t := timer{list: *timings}
	err = fitInBlocks(ctx, a, opts, store, mo, vo, &t)
	*timings = t.list
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
	// One Smoother per weight matrix serves every block; scVelo's default
	// second-order weights are the first-order ones, and then one serves
	// both.
	sm, sm2 := preprocess.NewSmoother(w), (*preprocess.Smoother)(nil)
	switch {
	case w2 != nil && sameCSR(w, w2):
		sm2 = sm
	case w2 != nil:
		sm2 = preprocess.NewSmoother(w2)
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
			if err := fitBlock(ctx, s, u, sm, sm2, lo, hi, e, store, opts.Threads, t); err != nil {
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

// graphView is what the graph stages read in the blocked path: a view of a
// restricted to the genes the velocity graph uses (those of var
// velocity_genes, or all), sharing a's obs, obsm, obsp and uns so that the
// stages leave their results in a, and holding only the layer it must hold
// whole at the time. The velocity graph and the transition confidence read
// Ms at random cells but the velocity only of the cells they process, so
// they get Ms whole and the velocity in row blocks; the neighbour
// confidence then gets the whole velocity in Ms's place.
type graphView struct {
	*anndata.AnnData
	store LayerStore
	genes []int
}

// newGraphView reads the velocity genes' Ms back from store.
func newGraphView(a *anndata.AnnData, store *asyncStore) (*graphView, error) {
	genes, err := graphGenes(a)
	if err != nil {
		return nil, err
	}
	view := &anndata.AnnData{Layers: map[string]array.Matrix{}, Obs: a.Obs, Var: a.Var.Subset(genes),
		Obsm: a.Obsm, Varm: map[string]*array.Dense{}, Obsp: a.Obsp, Uns: a.Uns}
	for k, m := range a.Varm {
		view.Varm[k] = m.SelectRows(genes)
	}
	// The count layers have just been written and dropped; their memory
	// goes back to the system before Ms, as large, takes new pages.
	if err := store.wait(); err != nil {
		return nil, err
	}
	releaseMemory(a.NObs() * len(genes))
	ms, err := store.ReadColumns("Ms", genes)
	if err != nil {
		return nil, err
	}
	view.Layers["Ms"] = ms
	return &graphView{AnnData: view, store: store, genes: genes}, nil
}

// velocityRows reads the velocity genes' velocity of cells [lo, hi).
func (v *graphView) velocityRows(lo, hi int) (*array.Dense, error) {
	return v.store.ReadRows("velocity", lo, hi, v.genes)
}

// swapToVelocity drops Ms and reads the whole velocity of the velocity
// genes.
func (v *graphView) swapToVelocity() error {
	delete(v.Layers, "Ms")
	releaseMemory(v.NObs() * len(v.genes))
	m, err := v.store.ReadColumns("velocity", v.genes)
	if err != nil {
		return err
	}
	v.Layers["velocity"] = m
	return nil
}

// releaseValues is the size of the layer read next (cells × velocity
// genes) from which the blocked path hands freed memory back to the
// system before reading it: about 80,000 cells of 1200 velocity genes.
const releaseValues = 100_000_000

// releaseMemory collects and returns free memory to the system before a
// layer of the given number of values is read, when it has at least
// releaseValues. At a million cells the stages free and allocate layers
// of gigabytes; Go keeps freed pages for reuse, which a new array of
// another size often cannot use, so without this the resident memory
// grows by a whole layer at each such change.
func releaseMemory(values int) {
	if values >= releaseValues {
		debug.FreeOSMemory()
	}
}

// fitBlock smooths genes [lo, hi) with the moment weights' smoother w (and
// w2 for the second-order moments), fits them and stores their layers.
func fitBlock(ctx context.Context, s, u array.Matrix, w, w2 *preprocess.Smoother, lo, hi int, e *velocity.Estimator, store LayerStore, threads int, t *timer) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	start := time.Now()
	sb, ub := columnRange(s, lo, hi), columnRange(u, lo, hi)
	ms := w.Smooth(sb, threads)
	mu := w.Smooth(ub, threads)
	t.add(stageMoments, start)

	start = time.Now()
	vel, vvar, err := e.Fit(ctx, velocity.Block{Start: lo, Ms: ms, Mu: mu,
		SecondOrder: func(genes []int) (*array.Dense, *array.Dense, error) {
			return w2.SmoothProduct(sb, sb, genes, threads), w2.SmoothProduct(sb, ub, genes, threads), nil
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

// sameCSR reports whether a and b hold the same matrix, bit for bit.
func sameCSR(a, b *array.CSR) bool {
	return a.Rows == b.Rows && a.Cols == b.Cols && slices.Equal(a.Indptr, b.Indptr) && slices.Equal(a.Indices, b.Indices) &&
		slices.EqualFunc(a.Data, b.Data, func(x, y float32) bool { return math.Float32bits(x) == math.Float32bits(y) })
}
