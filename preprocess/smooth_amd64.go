//go:build amd64 && !purego

package preprocess

import "golang.org/x/sys/cpu"

// haveAVX2 selects the vectorised smoothing kernels; they round exactly
// like the scalar ones.
var haveAVX2 = cpu.X86.HasAVX2

// smoothTile sets dst[:tileWidth] to Σ_t wt[t]·(row idx[t] of the tile
// slab), in float32 in the order of t. Every idx[t] must be a row of slab
// (NewSmoother checks the weights once).
func smoothTile(dst []float32, idx []int32, wt []float32, slab []float32) {
	if haveAVX2 {
		_ = dst[tileWidth-1]
		smoothTileAVX(&dst[0], idx, wt[:len(idx)], &slab[0])
		return
	}
	smoothLanesGo(dst[:tileWidth], idx, wt, slab)
}

// smoothLanes is smoothTile for the eight lanes at the start of slab (a
// suffix of a tile slab) into dst[:8].
func smoothLanes(dst []float32, idx []int32, wt []float32, slab []float32) {
	if haveAVX2 {
		_, _ = dst[7], slab[7]
		smoothLanesAVX(&dst[0], idx, wt[:len(idx)], &slab[0])
		return
	}
	smoothLanesGo(dst[:8], idx, wt, slab)
}

//go:noescape
func smoothTileAVX(dst *float32, idx []int32, wt []float32, slab *float32)

//go:noescape
func smoothLanesAVX(dst *float32, idx []int32, wt []float32, slab *float32)
