// Package mtx reads MatrixMarket coordinate files (.mtx, .mtx.gz), the
// sparse text format STARsolo, kallisto|bustools and alevin-fry write their
// count matrices in.
//
// Supported: integer and real fields, general and symmetric matrices (a
// symmetric file's off-diagonal entries are mirrored), and entry lines with
// several value columns, as in the matrix.mtx of STAR < 2.7.9a holding
// spliced, unspliced and ambiguous counts side by side. Every check a count
// matrix needs is made, each error naming the file and line: the banner,
// dimensions and entry count of the header, 1-based indices within the
// declared dimensions, a consistent number of fields, and values that are
// finite, non-negative numbers (integers for an integer field). A file
// that ends early is reported as truncated.
//
// Duplicated coordinates are summed, as scipy does when converting to CSR;
// explicit zeros are not stored. Results are float32 CSR matrices, in the
// orientation the caller asks for.
package mtx
