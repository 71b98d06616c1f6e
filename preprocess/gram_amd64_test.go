//go:build amd64 && !purego

package preprocess

import (
	"context"
	"math"
	"testing"
)

// The scalar PCA kernels give the same components as the vectorised ones,
// up to rounding.
func TestPCAWithoutFMA(t *testing.T) {
	a := logData(14, 500, 300)
	mu, _ := colMoments(a.X, nil, 2)
	fast, err := centredSVD(context.Background(), a.X, nil, mu, 20, 0, 2)
	if err != nil {
		t.Fatal(err)
	}
	defer func(v bool) { haveFMA = v }(haveFMA)
	haveFMA = false
	slow, err := centredSVD(context.Background(), a.X, nil, mu, 20, 0, 2)
	if err != nil {
		t.Fatal(err)
	}
	for i := range fast.sigma {
		if math.Abs(fast.sigma[i]-slow.sigma[i]) > 1e-9*fast.sigma[i] {
			t.Errorf("σ%d: %v vs %v", i, fast.sigma[i], slow.sigma[i])
		}
	}
}
