// Decode attention over the latent cache in one pass with an online softmax (flash-decoding's inner
// loop): for one query token and every head, blocks of cached rows are scored, their softmax weights
// folded into a running maximum and normaliser, and the rows added to the weighted sum while they are
// still in cache. Heads sit in the vector lanes (16 per AVX-512 register or pair of AVX2 registers), so
// the queries are packed once per call ([qdim][16]) and every cached value is a broadcast: neither the
// cache nor the weights are ever repacked, and no horizontal sums are needed. This file: the portable
// loop and the run-time choice; the SIMD kernels are attention_decode_avx2.c and _avx512.c.
#include "sk_internal.h"
#include <math.h>

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
