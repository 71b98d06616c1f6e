// Package graph computes what scVelo derives from fitted velocities: the
// cell-to-cell velocity graph (tl.velocity_graph), transition matrices
// (tl.transition_matrix), velocities projected into an embedding
// (tl.velocity_embedding), velocity length and confidence
// (tl.velocity_confidence), root cells and end points (tl.terminal_states),
// a velocity pseudotime (tl.velocity_pseudotime), and the direction metrics
// the field reports (CBDir, ICCoh).
//
// Every step reads and writes the AnnData keys scVelo 0.3.3 uses: the graphs
// live in uns as float32 CSR matrices, per-cell scores in obs, projected
// velocities in obsm. Zero-value options mean scVelo's defaults.
//
// All work is sparse: the candidate transitions of a cell are itself, its
// stored nearest neighbours and their neighbours, so memory grows with the
// number of cells times the candidate count, never with the square of the
// number of cells. Transition matrices are made row by row from the graphs
// where a step needs one row at a time (embedding, confidence) and built
// once per call where it needs the whole matrix (terminal states). When
// the layers hold only the velocity genes (as the pipeline passes them on
// large data) they are read in place rather than copied, and per-cell steps
// visit cells in breadth-first order over the neighbour graph so the rows
// they read stay in cache. Parallel steps split cells into fixed chunks and
// write each cell's result in its own place, so any thread count gives the
// same bits.
package graph
