// Package merge concatenates the counts of several samples and attaches the
// annotations (cluster labels, embeddings) of a processed AnnData whose cell
// names follow another barcode convention.
//
// Counters and analysis tools name the same cell differently: velocyto
// writes "sample:AAACCTGAGAAGGCCTx", CellRanger "AAACCTGAGAAGGCCT-1",
// Seurat "sample_AAACCTGAGAAGGCCT", anndata's concatenate
// "AAACCTGAGAAGGCCT-1-0". Merge reduces every name to its core barcode (the
// longest run of A, C, G, T, N) plus what surrounds it, and matches cells on
// the core within a sample. What surrounds the core decides between samples:
// an annotation cell whose prefix or suffix contains a sample's name or one
// of its aliases (as a whole word between separators such as ":", "_", "-")
// belongs to that sample only; with Options.SampleKey, a column of the
// annotation says it instead.
//
// Unlike scvelo.utils.merge, which cleans names down to the barcode (so the
// same barcode in two samples collides) and keeps whatever intersects, Merge
// refuses to guess: a cell matching two annotation cells, an annotation
// cell claimed by two samples, or a sample matching nothing is an error that
// says which cells and how to tell them apart; and the Report says how many
// cells of each sample matched and under which naming pattern.
package merge
