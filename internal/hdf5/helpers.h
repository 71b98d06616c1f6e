// Helpers that turn libhdf5's macros into functions cgo can call, plus the
// few routines that need C callbacks or C-side buffers.
#ifndef VELO_HDF5_HELPERS_H
#define VELO_HDF5_HELPERS_H

#include <stdlib.h>
#include <string.h>
#include <hdf5.h>

// Native numeric types, by velo's kind code (see types.go).
hid_t velo_native(int kind);
hid_t velo_ref_obj(void);
hid_t velo_c_s1(void);
hid_t velo_plist(int which);

// velo_begin silences automatic error printing on the calling thread and
// clears its error stack, so a following failure leaves only its own stack.
void velo_begin(void);

// velo_errmsg writes a one-line message for the current error stack into buf
// and returns flags describing well-known causes (VELO_E_*).
int velo_errmsg(char *buf, size_t n);
#define VELO_E_TRUNCATED 1
#define VELO_E_NOTHDF5 2

// velo_vlen_strings allocates an array of n char* for writing vlen strings.
char **velo_new_cstrings(size_t n);
void velo_free_cstrings(char **s, size_t n);

// velo_unshuffle reverses HDF5's shuffle filter (byte transposition).
void velo_unshuffle(const unsigned char *src, unsigned char *dst, size_t n, size_t size);
void velo_shuffle(const unsigned char *src, unsigned char *dst, size_t n, size_t size);

// Decompression and compression of one chunk; 0 on success. velo_inflate
// uses libdeflate when fast is set and velo_libdeflate reports it loaded,
// zlib otherwise.
int velo_libdeflate(void);
int velo_inflate(const void *src, size_t srclen, void *dst, size_t dstlen, int fast);
int velo_lzf_decompress(const void *src, size_t srclen, void *dst, size_t dstlen);
int velo_deflate(const void *src, size_t srclen, void *dst, size_t *dstlen, int level);
size_t velo_deflate_bound(size_t srclen);

#endif
