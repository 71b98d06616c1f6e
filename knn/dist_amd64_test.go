//go:build amd64 && !purego

package knn

import (
	"context"
	"slices"
	"testing"
)

// The scalar fallback finds the same neighbours as the vectorised path.
func TestExactWithoutFMA(t *testing.T) {
	data := randomData(8, 600, 30, func(c int) float64 { return 8 / float64(c+1) })
	fast, err := Exact(context.Background(), data, 20, 2)
	if err != nil {
		t.Fatal(err)
	}
	defer func(v bool) { haveFMA = v }(haveFMA)
	haveFMA = false
	slow, err := Exact(context.Background(), data, 20, 2)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(fast.Indices, slow.Indices) {
		t.Error("neighbours differ without FMA")
	}
	want, _ := bruteForce(data, 20)
	if !slices.Equal(slow.Indices, want) {
		t.Error("scalar path differs from brute force")
	}
}
