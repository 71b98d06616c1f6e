"""Writes the zarr test fixtures of package zarr.

Run from this directory with Debian's python3 (anndata 0.8, zarr 2.13):

    python3 make_fixtures.py

It writes
  tiny.zarr        a 7×5 AnnData with anndata's default compressor
                   (Blosc lz4, byte shuffle)
  tiny_zlib.zarr   the same AnnData compressed with zlib, layers/spliced and
                   obsm/X_umap in 3×2 chunks
  expected.json    every value the reader must return
  blosc/*.blosc    single Blosc buffers written by numcodecs, with
                   blosc/cases.json describing how each was made
"""
import json
import os
import shutil

import anndata
import numcodecs
import numpy as np
import pandas as pd
import scipy.sparse as sp
import zarr
import zarr.storage


def build():
    x = np.array(
        [
            [0, 1, 0, 0, 2],
            [3, 0, 0, 0, 0],
            [0, 0, 0, 0, 0],
            [0, 4.5, 0, 1, 0],
            [7, 0, 0, 0, 0.25],
            [0, 0, 6, 0, 0],
            [1, 1, 1, 1, 1],
        ],
        dtype=np.float32,
    )
    spliced = (x * 2 + np.arange(35, dtype=np.float32).reshape(7, 5)).astype(np.float32)
    unspliced = sp.csr_matrix(x * 3)
    obs = pd.DataFrame(
        {
            "clusters": pd.Categorical(
                ["a", "b", None, "a", "c", "b", "a"], categories=["a", "b", "c"]
            ),
            "score": np.array([0.5, -1.25, 2.0, 3.5, 0.0, 1e-3, 42.0]),
            "n_counts": np.arange(7, dtype=np.int64) * 10,
        },
        index=[f"cell{i}" for i in range(7)],
    )
    var = pd.DataFrame(
        {
            "gene_symbol": ["Sox9", "Pax6", "Neurog3", "Ins1", "Gcg"],
            "highly_variable": [True, False, True, True, False],
        },
        index=[f"g{i}" for i in range(5)],
    )
    a = anndata.AnnData(X=sp.csr_matrix(x), obs=obs, var=var)
    a.layers["spliced"] = spliced
    a.layers["unspliced"] = unspliced
    a.obsm["X_umap"] = (np.arange(14, dtype=np.float32).reshape(7, 2) / 4).astype(np.float32)
    a.varm["loadings"] = np.arange(10, dtype=np.float64).reshape(5, 2) - 3.5
    a.obsp["connectivities"] = sp.csr_matrix(np.eye(7, dtype=np.float32) * 0.5)
    a.uns["neighbors"] = {"params": {"method": "umap", "n_neighbors": 30}}
    a.uns["title"] = "tiny"
    a.uns["pi"] = 3.25
    a.uns["groups"] = np.array(["a", "b", "c"], dtype=object)
    return a, x, spliced


def expected(a, x, spliced):
    cl = a.obs["clusters"]
    return {
        "shape": list(a.shape),
        "obs_names": list(a.obs_names),
        "var_names": list(a.var_names),
        "X": x.tolist(),
        "spliced": spliced.tolist(),
        "unspliced": a.layers["unspliced"].toarray().tolist(),
        "obs": {
            "clusters": {
                "codes": cl.cat.codes.astype(int).tolist(),
                "categories": list(cl.cat.categories),
            },
            "score": a.obs["score"].tolist(),
            "n_counts": a.obs["n_counts"].tolist(),
        },
        "var": {
            "gene_symbol": list(a.var["gene_symbol"]),
            "highly_variable": [bool(v) for v in a.var["highly_variable"]],
        },
        "obsm": {"X_umap": a.obsm["X_umap"].tolist()},
        "varm": {"loadings": a.varm["loadings"].tolist()},
        "obsp": {"connectivities": a.obsp["connectivities"].toarray().tolist()},
        "uns": {
            "neighbors": {"params": {"method": "umap", "n_neighbors": 30}},
            "title": "tiny",
            "pi": 3.25,
            "groups": ["a", "b", "c"],
        },
    }


def write_stores(a):
    for name in ("tiny.zarr", "tiny_zlib.zarr"):
        shutil.rmtree(name, ignore_errors=True)
    a.write_zarr("tiny.zarr")
    default = zarr.storage.default_compressor
    zarr.storage.default_compressor = numcodecs.Zlib(level=6)
    try:
        a.write_zarr("tiny_zlib.zarr")
        # anndata writes each array as one chunk here; rechunk two dense
        # arrays so that reading across chunk edges is tested.
        g = zarr.open_group("tiny_zlib.zarr")
        for path in ("layers/spliced", "obsm/X_umap"):
            old = g[path]
            data, attrs = old[:], dict(old.attrs)
            parent, name = path.split("/")
            del g[path]
            new = g[parent].create_dataset(name, data=data, chunks=(3, 2))
            new.attrs.update(attrs)
    finally:
        zarr.storage.default_compressor = default


# Blosc buffers: data is float32(i)*0.25 ("f4"), float32(i % 16) ("m4"),
# zeros ("z4", float32) or int64(i*i) ("i8") for i in range(n), so the test can rebuild it. Blosc
# makes one block of a buffer this small unless a block size is forced; the
# first case forces 64 KiB blocks, so that it has a short last block.
# Debian's Blosc stores bit-shuffled buffers uncompressed (memcpyed flag).
BLOSC_CASES = [
    ("lz4_shuffle_blocks_f4", "f4", 100001, dict(cname="lz4", clevel=5, shuffle=1, blocksize=4096)),
    ("lz4_noshuffle_m4", "m4", 100001, dict(cname="lz4", clevel=5, shuffle=0)),
    ("lz4hc_shuffle_i8", "i8", 1501, dict(cname="lz4hc", clevel=9, shuffle=1)),
    ("zlib_shuffle_i8", "i8", 1501, dict(cname="zlib", clevel=5, shuffle=1)),
    ("zlib_zeros_z4", "z4", 1 << 20, dict(cname="zlib", clevel=9, shuffle=1)),
    ("lz4_default_f4", "f4", 3001, dict(cname="lz4", clevel=5, shuffle=1)),
    ("memcpy_f4", "f4", 300, dict(cname="lz4", clevel=0, shuffle=1)),
    ("small_f4", "f4", 5, dict(cname="lz4", clevel=5, shuffle=1)),
    ("bitshuffle_memcpyed_f4", "f4", 300, dict(cname="lz4", clevel=5, shuffle=2)),
    ("blosclz_f4", "f4", 3001, dict(cname="blosclz", clevel=5, shuffle=1)),
    ("zstd_f4", "f4", 3001, dict(cname="zstd", clevel=5, shuffle=1)),
]


def blosc_data(kind, n):
    i = np.arange(n)
    if kind == "f4":
        return (i.astype(np.float32) * np.float32(0.25)).astype("<f4")
    if kind == "m4":
        return (i % 16).astype("<f4")
    if kind == "z4":
        return np.zeros(n, dtype="<f4")
    return (i * i).astype("<i8")


def write_blosc():
    shutil.rmtree("blosc", ignore_errors=True)
    os.makedirs("blosc")
    cases = []
    for name, kind, n, kw in BLOSC_CASES:
        codec = numcodecs.Blosc(**kw)
        buf = codec.encode(blosc_data(kind, n))
        with open(os.path.join("blosc", name + ".blosc"), "wb") as f:
            f.write(buf)
        cases.append({"name": name, "kind": kind, "n": n, **kw})
    with open(os.path.join("blosc", "cases.json"), "w") as f:
        json.dump(cases, f, indent=1)


def main():
    a, x, spliced = build()
    write_stores(a)
    with open("expected.json", "w") as f:
        json.dump(expected(a, x, spliced), f, indent=1)
    write_blosc()


if __name__ == "__main__":
    main()
