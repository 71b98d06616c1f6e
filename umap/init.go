package umap

import (
	"context"
	"math"
)

// initialLayout returns umap-learn's starting coordinates (n×2, row-major):
// the spectral layout (per component, packed as described at Embed), scaled
// so that the largest |coordinate| is 10, plus Gaussian noise of sd 1e-4,
// then every column rescaled to [0, 10]. spectral is false when some
// component fell back to random coordinates.
func initialLayout(ctx context.Context, g *graph, seed uint64, threads int) (pos []float32, spectral bool, err error) {
	coords, spectral, err := componentLayout(ctx, g, seed, threads)
	if err != nil {
		return nil, false, err
	}
	var maxAbs float64
	for _, c := range coords {
		maxAbs = max(maxAbs, math.Abs(c))
	}
	expansion := 1.0
	if maxAbs > 0 {
		expansion = 10 / maxAbs
	}
	pos = make([]float32, len(coords))
	for i, c := range coords {
		r := newStream(seed, streamNoise, uint64(i), 0)
		pos[i] = float32(c*expansion) + float32(1e-4*r.normal())
	}
	for d := 0; d < 2; d++ {
		lo, hi := float32(math.Inf(1)), float32(math.Inf(-1))
		for i := d; i < len(pos); i += 2 {
			lo, hi = min(lo, pos[i]), max(hi, pos[i])
		}
		for i := d; i < len(pos); i += 2 {
			if hi > lo {
				pos[i] = 10 * (pos[i] - lo) / (hi - lo)
			} else {
				pos[i] = 0 // a single vertex
			}
		}
	}
	return pos, spectral, nil
}

// componentLayout lays out every connected component by its spectral layout
// (or, for components with fewer than 3 vertices or an eigensolver that did
// not converge, by seeded uniform random coordinates) and packs the
// components side by side: each gets a square of side √size, placed in rows
// of width 1.2·√n from the largest component to the smallest.
func componentLayout(ctx context.Context, g *graph, seed uint64, threads int) ([]float64, bool, error) {
	comps := g.components()
	coords := make([]float64, 2*g.n)
	allSpectral := true
	if len(comps) == 1 {
		c, ok, err := spectralLayout(ctx, g, seed, 0, threads)
		if err != nil {
			return nil, false, err
		}
		if ok {
			return c, true, nil
		}
		randomLayout(coords, seed, 0)
		return coords, false, nil
	}
	local := make([]int32, g.n)
	for _, vs := range comps {
		for k, v := range vs {
			local[v] = int32(k)
		}
	}
	width := 1.2 * math.Sqrt(float64(g.n))
	var x, y, rowHeight float64
	for ci, vs := range comps {
		var c []float64
		ok := false
		if len(vs) >= 3 {
			var err error
			c, ok, err = spectralLayout(ctx, g.subgraph(vs, local), seed, uint64(ci), threads)
			if err != nil {
				return nil, false, err
			}
		}
		if !ok {
			c = make([]float64, 2*len(vs))
			if len(vs) > 1 {
				randomLayout(c, seed, uint64(ci))
			}
			if len(vs) >= 3 {
				allSpectral = false
			}
		}
		side := math.Sqrt(float64(len(vs)))
		cell := 1.2 * side
		if x > 0 && x+cell > width {
			x, y, rowHeight = 0, y+rowHeight, 0
		}
		cx, cy := x+cell/2, y+cell/2
		x += cell
		rowHeight = max(rowHeight, cell)
		// Centre the component on its mid-range and fit it in its square.
		var lo, hi [2]float64
		lo[0], lo[1] = math.Inf(1), math.Inf(1)
		hi[0], hi[1] = math.Inf(-1), math.Inf(-1)
		for k := range c {
			lo[k%2], hi[k%2] = min(lo[k%2], c[k]), max(hi[k%2], c[k])
		}
		half := max(hi[0]-lo[0], hi[1]-lo[1]) / 2
		scale := 0.0
		if half > 0 {
			scale = side / 2 / half
		}
		for k, v := range vs {
			coords[2*v] = cx + scale*(c[2*k]-(lo[0]+hi[0])/2)
			coords[2*v+1] = cy + scale*(c[2*k+1]-(lo[1]+hi[1])/2)
		}
	}
	return coords, allSpectral, nil
}

// randomLayout fills c (pairs of coordinates) uniformly from [−10, 10]²,
// umap-learn's random initialisation.
func randomLayout(c []float64, seed, component uint64) {
	for k := range c {
		r := newStream(seed, streamRandomInit, component, uint64(k))
		c[k] = 20*r.float64() - 10
	}
}
