package velo

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/velo-rna/velo/array"
)

// slowStore delays every write, so that a read racing ahead of the writer
// would see missing columns, and fails the write numbered failAt (from 1).
type slowStore struct {
	*memoryStore
	failAt int
	n      int
}

var errWrite = errors.New("disk full")

func (s *slowStore) WriteColumns(layer string, col0 int, block *array.Dense) error {
	time.Sleep(2 * time.Millisecond)
	s.n++
	if s.n == s.failAt {
		return errWrite
	}
	return s.memoryStore.WriteColumns(layer, col0, block)
}

func TestAsyncStoreKeepsOrderAndWaitsForReads(t *testing.T) {
	inner := &slowStore{memoryStore: newMemoryStore(3, 10)}
	s := newAsyncStore(inner)
	var want []string
	for c := 0; c < 10; c++ {
		block := array.NewDense(3, 1)
		for i := range block.Data {
			block.Data[i] = float32(10*i + c)
		}
		layer := []string{"Ms", "Mu"}[c%2]
		want = append(want, layer)
		if err := s.WriteColumns(layer, c, block); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.ReadColumns("Ms", []int{0, 2, 4, 6, 8})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		for k, c := range []int{0, 2, 4, 6, 8} {
			if v := got.At(i, k); v != float32(10*i+c) {
				t.Fatalf("Ms[%d, %d] = %v, want %v", i, c, v, 10*i+c)
			}
		}
	}
	if err := s.close(); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(inner.writes, want) {
		t.Errorf("writes in order %v, want %v", inner.writes, want)
	}
	if err := s.close(); err != nil {
		t.Errorf("second close: %v", err)
	}
}

func TestAsyncStoreReportsTheFirstError(t *testing.T) {
	inner := &slowStore{memoryStore: newMemoryStore(2, 20), failAt: 3}
	s := newAsyncStore(inner)
	var later error
	for c := 0; c < 20; c++ {
		if err := s.WriteColumns("Ms", c, array.NewDense(2, 1)); err != nil {
			later = err
			break
		}
	}
	if _, err := s.ReadColumns("Ms", []int{0}); !errors.Is(err, errWrite) {
		t.Errorf("read after a failed write: %v, want %v", err, errWrite)
	}
	if err := s.close(); !errors.Is(err, errWrite) {
		t.Errorf("close: %v, want %v", err, errWrite)
	}
	if later != nil && !errors.Is(later, errWrite) {
		t.Errorf("write after the failure: %v", later)
	}
	if len(inner.writes) != 2 {
		t.Errorf("%d writes made, want the 2 before the failure", len(inner.writes))
	}
}
