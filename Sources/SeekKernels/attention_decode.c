// Decode attention over the latent cache in one pass with an online softmax (flash-decoding's inner
// loop): for one query token and every head, blocks of cached rows are scored, their softmax weights
// folded into a running maximum and normaliser, and the rows added to the weighted sum while they are
// still in cache. Heads sit in the vector lanes (16 per AVX-512 register or pair of AVX2 registers), so
// the queries are packed once per call ([qdim][16]) and every cached value is a broadcast: neither the
// cache nor the weights are ever repacked, and no horizontal sums are needed. This file: the portable
// loop and the run-time choice; the SIMD kernels are attention_decode_avx2.c and _avx512.c, and for a
// bf16 cache attention_decode_amx.c (elsewhere, a bf16 cache's rows are converted a block at a time).
#include "sk_internal.h"
#include <math.h>
#include <stdlib.h>

static void decode_portable(const float *q, size_t heads, size_t qdim, const float *cache, size_t ldc, size_t j0,
                            size_t j1, size_t vdim, float scale, float *m, float *l, float *acc) {
    for (size_t h = 0; h < heads; h++) {
        const float *qh = q + h * qdim;
        float *ah = acc + h * vdim;
        for (size_t j = j0; j < j1; j++) {
            const float *c = cache + j * ldc;
            float s = 0;
            for (size_t d = 0; d < qdim; d++) s += qh[d] * c[d];
            s *= scale;
            float newMax = s > m[h] ? s : m[h];
            float rescale = m[h] == -INFINITY ? 0 : expf(m[h] - newMax), p = expf(s - newMax);
            l[h] = l[h] * rescale + p;
            for (size_t d = 0; d < vdim; d++) ah[d] = ah[d] * rescale + p * c[d];
            m[h] = newMax;
        }
    }
}

void sk_attention_decode(const float *q, size_t heads, size_t qdim, const float *cache, size_t ldc, size_t j0,
                         size_t j1, size_t vdim, float scale, float *m, float *l, float *acc) {
    if (j0 >= j1) return;
#if defined(__x86_64__)
    if (qdim <= SK_DECODE_MAX_DIM && vdim <= SK_DECODE_MAX_DIM) {
        switch (sk_level()) {
        case SK_SIMD_AVX512: sk_avx512_attention_decode(q, heads, qdim, cache, ldc, j0, j1, vdim, scale, m, l, acc); return;
        case SK_SIMD_AVX2: sk_avx2_attention_decode(q, heads, qdim, cache, ldc, j0, j1, vdim, scale, m, l, acc); return;
        }
    }
#endif
    decode_portable(q, heads, qdim, cache, ldc, j0, j1, vdim, scale, m, l, acc);
}

/// Rows a bf16 cache converts at a time where AMX does not run: enough for the float kernel's packing of
/// the queries (once per call) to be repaid, few enough to stay in L2 (128 rows of 576 floats: 288 KB).
enum { CONVERTED_ROWS = 128 };

void sk_attention_decode_bf16(const float *q, size_t heads, size_t qdim, const uint16_t *cache, size_t ldc,
                              size_t j0, size_t j1, size_t vdim, float scale, float *m, float *l, float *acc) {
    if (j0 >= j1) return;
    size_t width = qdim > vdim ? qdim : vdim;
#if defined(__x86_64__)
    if (sk_amx_enabled() && qdim % 32 == 0 && vdim % 32 == 0 && width <= SK_DECODE_MAX_DIM) {
        sk_amx_attention_decode_bf16(q, heads, qdim, cache, ldc, j0, j1, vdim, scale, m, l, acc);
        return;
    }
#endif
    // Each thread keeps one buffer for the converted rows, grown as needed and never freed.
    static __thread float *converted = NULL;
    static __thread size_t capacity = 0;
    size_t block = CONVERTED_ROWS;
    if (capacity < block * width) {
        float *grown = realloc(converted, block * width * sizeof(float));
        if (!grown) abort();
        converted = grown;
        capacity = block * width;
    }
    for (size_t b0 = j0; b0 < j1; b0 += block) {
        size_t count = j1 - b0 < block ? j1 - b0 : block;
        for (size_t r = 0; r < count; r++) sk_bf16_to_f32(cache + (b0 + r) * ldc, converted + r * width, width);
        sk_attention_decode(q, heads, qdim, converted, width, 0, count, vdim, scale, m, l, acc);
    }
}
