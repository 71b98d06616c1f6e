// Package zarr reads AnnData stores in the zarr v2 layout that
// anndata.write_zarr produces: a directory tree of groups (.zgroup) and
// chunked arrays (.zarray), with anndata's encoding attributes in .zattrs.
//
// It reads what package h5ad reads, the same way: X and layers (dense,
// CSR or CSC) as float32 matrices, obs and var data frames with
// categorical, string, numeric and boolean columns, obsm and varm as dense
// matrices, obsp as CSR, and uns as nested dictionaries of scalars and
// arrays. Chunks may be uncompressed or compressed with Blosc (LZ4, LZ4HC
// or zlib inside, with or without byte shuffle), zlib or gzip. Blosc's
// bit shuffle, delta filter and its BloscLZ, Snappy and Zstd codecs are
// refused with an error naming the array, as are other codecs and filters.
package zarr
