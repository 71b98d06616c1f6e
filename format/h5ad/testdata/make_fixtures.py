#!/usr/bin/python3
"""Generate the small .h5ad fixtures the h5ad tests read.

Run with Debian's python3 (h5py 3.7, anndata 0.8.0, scipy):

    /usr/bin/python3 make_fixtures.py

Every fixture holds the same 6 cells x 4 genes AnnData (built in `build`),
stored in a different way that readers in the wild meet:

  anndata_lzf.h5ad   written by anndata 0.8, every array rewritten with LZF
  gzip_shuffle.h5ad  every array rewritten with gzip level 4 + shuffle
  latest.h5ad        libver="latest" (v4 chunk indexes: fixed array,
                     extensible array, v2 B-tree, single chunk), gzip
  csc_int64.h5ad     X stored as CSC with int64 indices/indptr and int32 data
  legacy07.h5ad      anndata 0.7 layout, written by hand: no encoding
                     attributes on the root, uns or layers; index dataset
                     "index"; categoricals as codes whose "categories"
                     attribute references __categories/<column>; a column
                     whose categories live in uns/<column>_categories;
                     sparse X marked by h5sparse_format/h5sparse_shape;
                     fixed-length strings, big-endian and float16 arrays

The Go tests compare what they read with the values written here.
"""

import ctypes
import ctypes.util
import os

import anndata
import h5py
import numpy as np
import pandas as pd
from scipy import sparse

HERE = os.path.dirname(os.path.abspath(__file__))

X = np.array(
    [
        [1, 0, 2, 0],
        [0, 0, 3, 1],
        [4, 0, 0, 0],
        [0, 5, 0, 6],
        [0, 0, 0, 0],
        [7, 8, 9, 10],
    ],
    dtype=np.float32,
)
UNSPLICED = np.floor(X / 2).astype(np.float32)
OBS_NAMES = ["cell0", "cell1", "cell2", "cell3", "cell4", "cellé5"]
VAR_NAMES = ["Gene0", "Gene1", "Gene2", "Gène3"]
CLUSTERS = ["a", "b", None, "a", "c", "b"]  # None is a missing value: code -1
GRAPH = sparse.csr_matrix(
    (
        np.array([0.5, 0.25, 0.5, 1.0, 0.25, 0.75], dtype=np.float32),
        np.array([1, 3, 0, 5, 0, 2], dtype=np.int32),
        np.array([0, 2, 3, 3, 4, 5, 6], dtype=np.int32),
    ),
    shape=(6, 6),
)


def build():
    obs = pd.DataFrame(
        {
            "clusters": pd.Categorical(CLUSTERS, categories=["a", "b", "c"]),
            "n_counts": X.sum(axis=1).astype(np.float64),
            "flag": np.array([True, False, True, False, False, True]),
            "batch": np.array([0, 1, 0, 1, 0, 1], dtype=np.int64),
            "note": np.array(["x", "y", "", "z", "w", "v"], dtype=object),
        },
        index=OBS_NAMES,
    )
    var = pd.DataFrame(
        {
            "gamma": np.array([0.5, 1.5, -2.0, 3.25], dtype=np.float32),
            "velocity_genes": np.array([True, False, True, True]),
        },
        index=VAR_NAMES,
    )
    a = anndata.AnnData(
        X=sparse.csr_matrix(X),
        obs=obs,
        var=var,
        layers={"spliced": sparse.csr_matrix(X), "unspliced": UNSPLICED},
        obsm={"X_pca": np.arange(12, dtype=np.float32).reshape(6, 2)},
        varm={"PCs": np.arange(8, dtype=np.float64).reshape(4, 2) / 4},
        obsp={"connectivities": GRAPH},
    )
    a.uns["neighbors"] = {
        "connectivities_key": "connectivities",
        "params": {"n_neighbors": 30, "method": "umap"},
    }
    a.uns["perc"] = np.array([5, 95], dtype=np.int64)
    a.uns["embeddings"] = np.array(["pca", "umap"], dtype=object)
    a.uns["flag"] = True
    a.uns["alpha"] = 0.25
    a.uns["graph"] = GRAPH
    a.uns["dense"] = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.5]])
    a.uns["bools"] = np.array([True, False, True])
    return a


def copy_attrs(src, dst):
    for k in src.attrs:
        dst.attrs.create(k, src.attrs[k], dtype=src.attrs.get_id(k).dtype)


def small_file(path, libver="earliest"):
    """Open a new file with small B-tree nodes, which keeps fixtures small."""
    fcpl = h5py.h5p.create(h5py.h5p.FILE_CREATE)
    # h5py wraps neither B-tree node size setting; call libhdf5 directly.
    lib = ctypes.CDLL(ctypes.util.find_library("hdf5_serial"))
    lib.H5Pset_istore_k(ctypes.c_int64(fcpl.id), ctypes.c_uint(2))
    lib.H5Pset_sym_k(ctypes.c_int64(fcpl.id), ctypes.c_uint(2), ctypes.c_uint(2))
    fapl = h5py.h5p.create(h5py.h5p.FILE_ACCESS)
    low = h5py.h5f.LIBVER_LATEST if libver == "latest" else h5py.h5f.LIBVER_EARLIEST
    fapl.set_libver_bounds(low, h5py.h5f.LIBVER_LATEST)
    return h5py.File(h5py.h5f.create(path.encode(), h5py.h5f.ACC_TRUNC, fcpl=fcpl, fapl=fapl))


def rewrite(src_path, dst_path, dataset_kwargs, libver="earliest"):
    """Copy an HDF5 file, recreating every array with dataset_kwargs(name, ds)."""
    with h5py.File(src_path, "r") as src, small_file(dst_path, libver) as dst:
        copy_attrs(src, dst)

        def visit(name, obj):
            if isinstance(obj, h5py.Group):
                copy_attrs(obj, dst.create_group(name))
                return
            kw = {"dtype": obj.dtype}
            if obj.shape not in ((), (0,)):
                kw.update(dataset_kwargs(name, obj))
            d = dst.create_dataset(name, data=obj[()], **kw)
            copy_attrs(obj, d)

        src.visititems(visit)


def latest_kwargs(name, ds):
    """Vary max shapes so that each libver=latest chunk index is used."""
    kw = {"compression": "gzip"}
    if len(ds.shape) == 2:
        kw["maxshape"] = (None, None)  # v2 B-tree
        kw["chunks"] = (2, 2)
    elif name.endswith("indices") or name.endswith("data"):
        kw["maxshape"] = (None,)  # extensible array
        kw["chunks"] = (4,)
    elif name.endswith("indptr"):
        kw["chunks"] = ds.shape  # single chunk
    else:
        kw["chunks"] = (max(1, ds.shape[0] // 2),)  # fixed array
    return kw


def legacy07(path):
    """anndata 0.7's layout, written directly with h5py."""
    vlen = h5py.string_dtype()
    with small_file(path) as f:
        x = sparse.csr_matrix(X)
        g = f.create_group("X")
        g.attrs["h5sparse_format"] = "csr"
        g.attrs["h5sparse_shape"] = np.array(X.shape)
        g["data"], g["indices"], g["indptr"] = x.data, x.indices, x.indptr

        layers = f.create_group("layers")
        layers["unspliced"] = UNSPLICED

        obs = f.create_group("obs")
        obs.attrs["_index"] = "index"
        obs.attrs["column-order"] = np.array(["clusters", "louvain", "n_counts", "n_genes"], dtype=object)
        obs.attrs["encoding-type"] = "dataframe"
        obs.attrs["encoding-version"] = "0.1.0"
        obs.create_dataset("index", data=np.array(OBS_NAMES, dtype=object), dtype=vlen)
        cats = obs.create_group("__categories")
        cats.create_dataset("clusters", data=np.array(["a", "b", "c"], dtype=object), dtype=vlen)
        codes = obs.create_dataset("clusters", data=np.array([0, 1, -1, 0, 2, 1], dtype=np.int8))
        codes.attrs["categories"] = cats["clusters"].ref
        obs["louvain"] = np.array([1, 0, 1, 1, 0, 0], dtype=np.int64)
        obs["n_counts"] = X.sum(axis=1).astype(np.float64)
        obs["n_genes"] = (X > 0).sum(axis=1).astype(np.uint16)

        var = f.create_group("var")
        var.attrs["_index"] = "index"
        var.attrs["column-order"] = np.array([], dtype=np.float64)
        var.attrs["encoding-type"] = "dataframe"
        var.attrs["encoding-version"] = "0.1.0"
        var.create_dataset("index", data=np.array(VAR_NAMES, dtype=object), dtype=vlen)

        uns = f.create_group("uns")
        uns.create_dataset("louvain_categories", data=np.array(["L0", "L1"], dtype=object), dtype=vlen)
        uns["alpha"] = 0.25
        uns["perc"] = np.array([5, 95], dtype=np.int64)
        uns["fixed"] = np.array([b"ab", b"cde"], dtype="S3")  # fixed-length strings
        uns["big_endian"] = np.array([1.5, -2.0], dtype=">f8")
        uns["half"] = np.array([0.5, 1.5], dtype="<f2")
        params = uns.create_group("params")
        params.create_dataset("mode", data="stochastic", dtype=vlen)


def main():
    plain = os.path.join(HERE, "plain.tmp")
    build().write_h5ad(plain)
    rewrite(plain, os.path.join(HERE, "anndata_lzf.h5ad"), lambda name, ds: {"compression": "lzf"})
    rewrite(plain, os.path.join(HERE, "gzip_shuffle.h5ad"),
            lambda name, ds: {"compression": "gzip", "compression_opts": 4, "shuffle": True})
    rewrite(plain, os.path.join(HERE, "latest.h5ad"), latest_kwargs, libver="latest")

    csc = build()
    csc.X = sparse.csc_matrix(X)
    csc.write_h5ad(plain)
    wide = {"X/indices": np.int64, "X/indptr": np.int64, "X/data": np.int32}

    def csc_kwargs(name, ds):
        return {"dtype": wide[name]} if name in wide else {}

    rewrite(plain, os.path.join(HERE, "csc_int64.h5ad"), csc_kwargs)
    os.remove(plain)

    legacy07(os.path.join(HERE, "legacy07.h5ad"))


if __name__ == "__main__":
    main()
