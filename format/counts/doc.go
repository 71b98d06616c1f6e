// Package counts reads the spliced/unspliced count directories that
// single-cell counters write, into an AnnData with layers "spliced" and
// "unspliced" (plus "ambiguous" when the counter reports it), X a copy of
// spliced, cell barcodes as obs names and unique gene names as var names
// with the gene ids in var "gene_ids".
//
// Layouts:
//
//   - STARsolo --soloFeatures Velocyto: Solo.out/Velocyto/{filtered,raw}/
//     with barcodes.tsv, features.tsv (id, name, type) and spliced.mtx,
//     unspliced.mtx, ambiguous.mtx, genes × cells; or, from STAR < 2.7.9a,
//     one matrix.mtx whose entries carry spliced, unspliced and ambiguous
//     values side by side.
//   - kallisto|bustools: kb count --workflow lamanno writes
//     counts_{filtered,unfiltered}/{spliced,unspliced}.mtx, cells × genes,
//     each with its own .barcodes.txt and .genes.txt; --workflow nac writes
//     cells_x_genes.{mature,nascent,ambiguous}.mtx with shared
//     cells_x_genes.barcodes.txt, .genes.txt and, in recent kb, .genes.names.txt.
//     For nac, spliced = mature and unspliced = nascent, the assignment
//     kb's documentation gives for velocity; ambiguous is kept as its own
//     layer, so users who prefer another sum can form it.
//   - alevin-fry USA mode: quant.json (or meta_info.json in older releases)
//     with usa_mode true and num_genes = 3·G, and alevin/quants_mat.mtx,
//     cells × 3G, whose column blocks are spliced S, unspliced U and
//     ambiguous A. Spliced is S + A by default (Options.AlevinCounts).
//
// Directories may be given at any level a user would reach for: the counter's
// output root or the directory holding the matrices. When both a filtered and
// an unfiltered set exist the filtered one is read. Any file may be gzipped
// (name.gz). Gene names repeated in a file are made unique as anndata's
// var_names_make_unique does; repeated barcodes are an error.
package counts
