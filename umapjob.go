package velo

import (
	"context"
	"errors"
	"sync/atomic"
	"time"

	"github.com/velo-rna/velo/anndata"
	"github.com/velo-rna/velo/array"
	"github.com/velo-rna/velo/umap"
)

// stageUMAPWait is the time the pipeline waited for the background UMAP
// before the graph stages.
const stageUMAPWait = "umap_wait"

// umapJob is a UMAP embedding computed on a goroutine of its own. It reads
// only the connectivities, which no stage changes, and touches a only in
// finish, on the caller's goroutine; its result does not depend on what
// runs beside it.
type umapJob struct {
	// cancel stops the embedding and waits for its goroutine to return.
	cancel  func()
	done    chan struct{}
	emb     *array.Dense
	err     error
	seconds float64
	// threads is the number of goroutines the optimisation uses from its
	// next epoch on.
	threads atomic.Int64
}

// startUMAP starts embedding a's connectivities, or returns nil when a
// already has X_umap.
func startUMAP(ctx context.Context, a *anndata.AnnData, opts Options) (*umapJob, error) {
	if _, ok := a.Obsm["X_umap"]; ok {
		return nil, nil
	}
	conn, ok := a.Obsp["connectivities"]
	if !ok {
		return nil, errors.New("obsp connectivities is missing")
	}
	// One thread until the stages beside it are done (boost): they use
	// every core, and UMAP's per-batch barriers slow down badly when
	// goroutines outnumber cores; the embedding is the same for any number
	// of threads.
	j := &umapJob{done: make(chan struct{})}
	j.threads.Store(1)
	uo := umap.Options{Seed: opts.Seed, Threads: 1, ThreadsNow: func() int { return int(j.threads.Load()) }}
	if opts.Progress != nil {
		uo.Progress = opts.Progress("umap")
	}
	ctx, cancel := context.WithCancel(ctx)
	j.cancel = func() { cancel(); <-j.done }
	go func() {
		defer close(j.done)
		start := time.Now()
		j.emb, j.err = umap.Embed(ctx, conn, uo)
		j.seconds = time.Since(start).Seconds()
	}()
	return j, nil
}

// boost lets the embedding use the given number of threads from its next
// epoch on, once the stages beside it no longer need the cores.
func (j *umapJob) boost(threads int) { j.threads.Store(int64(threads)) }

// finish waits for the embedding and stores it in a as scanpy's tl.umap
// does: obsm X_umap and uns umap params a, b.
func (j *umapJob) finish(a *anndata.AnnData) error {
	<-j.done
	if j.err != nil {
		return j.err
	}
	a.Obsm["X_umap"] = j.emb
	ua, ub := umap.FitAB(0.5, 1.0)
	a.Uns["umap"] = map[string]any{"params": map[string]any{"a": ua, "b": ub}}
	return nil
}
