package knn

import (
	"context"
	"os"
	"strconv"
	"testing"
	"time"
)

func TestZZMeasure(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("ZZN"))
	if n == 0 {
		t.Skip()
	}
	data := pcaLike(7, n, 30)
	s := time.Now()
	ex, _ := Exact(context.Background(), data, 30, 0)
	te := time.Since(s)
	for _, m := range []int{12, 20} {
		s = time.Now()
		ap, _ := Approximate(context.Background(), data, 30, ApproxOptions{Seed: 1, MaxCandidates: m})
		t.Logf("n=%d m=%d exact %v approx %v recall %.4f", n, m, te, time.Since(s), recall(ex, ap))
	}
}
