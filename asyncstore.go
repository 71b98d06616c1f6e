package velo

import (
	"sync"

	"github.com/velo-rna/velo/array"
)

// asyncDepth is the number of writes an asyncStore queues before a writer
// waits: one gene block's four dense layers, so that a block is written
// while the next one is computed and at most one more block is held.
const asyncDepth = 4

// asyncStore passes the writes to a LayerStore to one goroutine of its own,
// which makes them in the order they were made, so that computing the next
// block overlaps writing the last one (writing is mostly the kernel
// copying into the page cache and waiting for the disk). Reads wait for
// every earlier write. The first write error is returned by the calls
// after it and by close; later writes are then skipped.
//
// The matrices handed to it must not change until close: the writer still
// reads them after the call returns.
type asyncStore struct {
	store LayerStore
	jobs  chan func()
	idle  chan struct{} // closed when the writer goroutine has exited

	mu     sync.Mutex
	err    error
	closed bool
}

func newAsyncStore(store LayerStore) *asyncStore {
	s := &asyncStore{store: store, jobs: make(chan func(), asyncDepth), idle: make(chan struct{})}
	go s.run()
	return s
}

func (s *asyncStore) run() {
	defer close(s.idle)
	for job := range s.jobs {
		job()
	}
}

func (s *asyncStore) failed() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

// enqueue queues the write, waiting while asyncDepth writes are pending.
// The write is skipped if an earlier one failed.
func (s *asyncStore) enqueue(write func() error) error {
	if err := s.failed(); err != nil {
		return err
	}
	s.jobs <- func() {
		if s.failed() != nil {
			return
		}
		if err := write(); err != nil {
			s.mu.Lock()
			s.err = err
			s.mu.Unlock()
		}
	}
	return nil
}

// WriteColumns queues the block's write.
func (s *asyncStore) WriteColumns(layer string, col0 int, block *array.Dense) error {
	return s.enqueue(func() error { return s.store.WriteColumns(layer, col0, block) })
}

// WriteMatrix queues the matrix's write.
func (s *asyncStore) WriteMatrix(name string, m array.Matrix) error {
	return s.enqueue(func() error { return s.store.WriteMatrix(name, m) })
}

// ReadColumns reads once every queued write is done.
func (s *asyncStore) ReadColumns(layer string, cols []int) (*array.Dense, error) {
	if err := s.wait(); err != nil {
		return nil, err
	}
	return s.store.ReadColumns(layer, cols)
}

// ReadRows reads once every queued write is done.
func (s *asyncStore) ReadRows(layer string, lo, hi int, cols []int) (*array.Dense, error) {
	if err := s.wait(); err != nil {
		return nil, err
	}
	return s.store.ReadRows(layer, lo, hi, cols)
}

// wait returns when every queued write is done, with the first error.
func (s *asyncStore) wait() error {
	done := make(chan struct{})
	s.jobs <- func() { close(done) }
	<-done
	return s.failed()
}

// close waits for the queued writes and stops the writer; it may be
// called more than once, and no write may follow it.
func (s *asyncStore) close() error {
	s.mu.Lock()
	closed := s.closed
	s.closed = true
	s.mu.Unlock()
	if !closed {
		close(s.jobs)
	}
	<-s.idle
	return s.failed()
}
