//go:build !amd64 || purego

package preprocess

// smoothTile sets dst[:tileWidth] to Σ_t wt[t]·(row idx[t] of the tile
// slab), in float32 in the order of t.
func smoothTile(dst []float32, idx []int32, wt []float32, slab []float32) {
	smoothLanesGo(dst[:tileWidth], idx, wt, slab)
}

// smoothLanes is smoothTile for the eight lanes at the start of slab (a
// suffix of a tile slab) into dst[:8].
func smoothLanes(dst []float32, idx []int32, wt []float32, slab []float32) {
	smoothLanesGo(dst[:8], idx, wt, slab)
}
