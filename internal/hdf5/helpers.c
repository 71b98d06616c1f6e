#include "helpers.h"
#include <dlfcn.h>
#include <pthread.h>
#include <zlib.h>

// liblzf ships no header on Debian; this is its documented prototype.
unsigned int lzf_decompress(const void *const in_data, unsigned int in_len,
                            void *out_data, unsigned int out_len);

hid_t velo_native(int kind) {
	switch (kind) {
	case 1: return H5T_NATIVE_INT8;
	case 2: return H5T_NATIVE_UINT8;
	case 3: return H5T_NATIVE_INT16;
	case 4: return H5T_NATIVE_UINT16;
	case 5: return H5T_NATIVE_INT32;
	case 6: return H5T_NATIVE_UINT32;
	case 7: return H5T_NATIVE_INT64;
	case 8: return H5T_NATIVE_UINT64;
	case 9: return H5T_NATIVE_FLOAT;
	case 10: return H5T_NATIVE_DOUBLE;
	}
	return -1;
}

hid_t velo_ref_obj(void) { return H5T_STD_REF_OBJ; }

hid_t velo_c_s1(void) { return H5T_C_S1; }

hid_t velo_plist(int which) {
	switch (which) {
	case 0: return H5Pcreate(H5P_FILE_ACCESS);
	case 1: return H5Pcreate(H5P_FILE_CREATE);
	case 2: return H5Pcreate(H5P_GROUP_CREATE);
	case 3: return H5Pcreate(H5P_DATASET_CREATE);
	case 4: return H5Pcreate(H5P_LINK_CREATE);
	case 5: return H5Pcreate(H5P_ATTRIBUTE_CREATE);
	}
	return -1;
}

void velo_begin(void) {
	H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
	H5Eclear2(H5E_DEFAULT);
}

typedef struct {
	char first[256];
	char last[512];
	int count;
	int flags;
} walk_state;

static herr_t walk_cb(unsigned n, const H5E_error2_t *e, void *data) {
	walk_state *st = (walk_state *)data;
	const char *desc = e->desc ? e->desc : "";
	if (st->count == 0) {
		snprintf(st->first, sizeof st->first, "%s", desc);
	}
	snprintf(st->last, sizeof st->last, "%s", desc);
	if (e->min_num == H5E_TRUNCATED) {
		st->flags |= VELO_E_TRUNCATED;
	}
	if (e->min_num == H5E_NOTHDF5) {
		st->flags |= VELO_E_NOTHDF5;
	}
	st->count++;
	return 0;
}

int velo_errmsg(char *buf, size_t n) {
	walk_state st;
	memset(&st, 0, sizeof st);
	H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, walk_cb, &st);
	if (st.count == 0) {
		snprintf(buf, n, "unknown HDF5 error");
	} else if (st.count == 1 || strcmp(st.first, st.last) == 0) {
		snprintf(buf, n, "%s", st.last);
	} else {
		snprintf(buf, n, "%s: %s", st.first, st.last);
	}
	H5Eclear2(H5E_DEFAULT);
	return st.flags;
}

char **velo_new_cstrings(size_t n) {
	return (char **)calloc(n > 0 ? n : 1, sizeof(char *));
}

void velo_free_cstrings(char **s, size_t n) {
	for (size_t i = 0; i < n; i++) {
		free(s[i]);
	}
	free(s);
}

void velo_unshuffle(const unsigned char *src, unsigned char *dst, size_t n, size_t size) {
	for (size_t b = 0; b < size; b++) {
		const unsigned char *s = src + b * n;
		unsigned char *d = dst + b;
		for (size_t i = 0; i < n; i++) {
			d[i * size] = s[i];
		}
	}
}

void velo_shuffle(const unsigned char *src, unsigned char *dst, size_t n, size_t size) {
	for (size_t b = 0; b < size; b++) {
		const unsigned char *s = src + b;
		unsigned char *d = dst + b * n;
		for (size_t i = 0; i < n; i++) {
			d[i] = s[i * size];
		}
	}
}

// libdeflate, where the system has it, inflates two to three times faster
// than zlib. It is loaded at run time so that velo builds and runs without
// it, falling back to zlib, and only decodes: every correct decoder gives
// the same bytes, so files velo writes never depend on it.
typedef void *(*ld_alloc_fn)(void);
typedef int (*ld_zlib_fn)(void *, const void *, size_t, void *, size_t, size_t *);
typedef void (*ld_free_fn)(void *);
static ld_alloc_fn ld_alloc;
static ld_zlib_fn ld_zlib;
static ld_free_fn ld_free;
static pthread_once_t ld_once = PTHREAD_ONCE_INIT;

static void ld_load(void) {
	void *h = dlopen("libdeflate.so.0", RTLD_NOW | RTLD_LOCAL);
	if (h == NULL) {
		return;
	}
	ld_alloc_fn a = (ld_alloc_fn)dlsym(h, "libdeflate_alloc_decompressor");
	ld_zlib_fn z = (ld_zlib_fn)dlsym(h, "libdeflate_zlib_decompress");
	ld_free_fn f = (ld_free_fn)dlsym(h, "libdeflate_free_decompressor");
	if (a != NULL && z != NULL && f != NULL) {
		ld_alloc = a;
		ld_zlib = z;
		ld_free = f;
	}
}

int velo_libdeflate(void) {
	pthread_once(&ld_once, ld_load);
	return ld_zlib != NULL;
}

int velo_inflate(const void *src, size_t srclen, void *dst, size_t dstlen, int fast) {
	if (fast && velo_libdeflate()) {
		void *d = ld_alloc();
		if (d != NULL) {
			// A NULL actual size demands exactly dstlen bytes, as below.
			int rc = ld_zlib(d, src, srclen, dst, dstlen, NULL);
			ld_free(d);
			return rc == 0 ? 0 : -200 - rc;
		}
	}
	uLongf out = (uLongf)dstlen;
	int rc = uncompress((Bytef *)dst, &out, (const Bytef *)src, (uLong)srclen);
	if (rc != Z_OK) {
		return rc;
	}
	return out == dstlen ? 0 : -100;
}

int velo_lzf_decompress(const void *src, size_t srclen, void *dst, size_t dstlen) {
	unsigned int out = lzf_decompress(src, (unsigned int)srclen, dst, (unsigned int)dstlen);
	return out == dstlen ? 0 : -1;
}

size_t velo_deflate_bound(size_t srclen) { return (size_t)compressBound((uLong)srclen); }

int velo_deflate(const void *src, size_t srclen, void *dst, size_t *dstlen, int level) {
	uLongf out = (uLongf)*dstlen;
	int rc = compress2((Bytef *)dst, &out, (const Bytef *)src, (uLong)srclen, level);
	*dstlen = (size_t)out;
	return rc == Z_OK ? 0 : rc;
}
