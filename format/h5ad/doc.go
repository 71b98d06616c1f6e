// Package h5ad reads and writes AnnData's .h5ad files (HDF5) to and from
// velo's in-memory anndata.AnnData.
//
// Read understands every encoding anndata 0.8 and later writes and the
// older 0.7 layout: X and layers dense or sparse (CSR, or CSC which is
// converted to CSR), int32 or int64 indices and pointers, any numeric value
// type (converted to float32, the AnnData storage type); obs and var data
// frames with numeric, boolean, string and categorical columns (including
// 0.7's codes-plus-reference categoricals and uns/<column>_categories);
// obsm and varm matrices; obsp graphs; and nested uns dictionaries of
// scalars, strings, arrays, string arrays and sparse matrices. Files may be
// uncompressed, gzip, LZF or shuffle compressed, and written with
// libver="latest".
//
// Parts the in-memory AnnData has no place for are skipped rather than
// failing the read, and ReadSkipping lists them: raw, varp, data frames and
// other non-matrix entries in obsm and varm, nullable and other non-basic
// obs/var columns, and uns entries of other kinds (record arrays, data
// frames, arrays of more than two dimensions). Files from anndata before
// 0.7, whose obs and var are compound datasets, are refused with a message.
//
// Write produces files anndata 0.8 reads unchanged, laid out as anndata
// writes them, written atomically and byte-for-byte reproducibly. Stream
// writes the same content piecemeal, for results too large to hold at once:
// dense layers in column blocks, which can be read back before the file is
// finished, and whole matrices as soon as they are ready.
//
// Memory: Read holds the arrays it returns and, beyond them, a bounded
// amount independent of the arrays' sizes (chunk batches of 16 MiB and a
// few chunks per core), never a second copy of an array: compressed chunks
// are decoded, and wider or other stored types converted, piece by piece.
// Write adds nothing to what it writes unless compression is requested,
// and then a batch of encoded chunks.
package h5ad
