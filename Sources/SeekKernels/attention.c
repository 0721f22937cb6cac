// Decode attention's value product: out[h, d] = sum_j p[h, j] * cache[j, d] for one query token, all
// heads, columns d in [d0, d1). A register tile of 4 heads x 16 columns (8 accumulators, two cache loads
// and four broadcasts per cached token) walks the cache rows once per 4 heads; the 16-column strip of the
// cache (ctx x 64 bytes) stays in L2 between them. 30 GFLOP/s on one Zen 1 core at 2,080 tokens, where
// OpenBLAS sgemm with M = 16 spent most of its time packing (15 GFLOP/s).
#include "sk_internal.h"
#if defined(__x86_64__)
#include <immintrin.h>
#endif

static void values_portable(const float *p, size_t ldp, const float *cache, size_t ldc, size_t ctx, size_t heads,
                            float *out, size_t ldo, size_t d0, size_t d1) {
    for (size_t h = 0; h < heads; h++)
        for (size_t d = d0; d < d1; d++) {
            float sum = 0;
            for (size_t j = 0; j < ctx; j++) sum += p[h * ldp + j] * cache[j * ldc + d];
            out[h * ldo + d] = sum;
        }
}

#if defined(__x86_64__)
SK_TARGET_AVX2 static void values_avx2(const float *p, size_t ldp, const float *cache, size_t ldc, size_t ctx,
                                       size_t heads, float *out, size_t ldo, size_t d0, size_t d1) {
    size_t d = d0;
    for (; d + 16 <= d1; d += 16) {
        size_t h = 0;
        for (; h + 4 <= heads; h += 4) {
            const float *p0 = p + h * ldp, *p1 = p0 + ldp, *p2 = p1 + ldp, *p3 = p2 + ldp;
            __m256 a0 = _mm256_setzero_ps(), a1 = a0, b0 = a0, b1 = a0, c0 = a0, c1 = a0, e0 = a0, e1 = a0;
            const float *row = cache + d;
            for (size_t j = 0; j < ctx; j++, row += ldc) {
                __m256 x0 = _mm256_loadu_ps(row), x1 = _mm256_loadu_ps(row + 8);
                __m256 w = _mm256_broadcast_ss(p0 + j);
                a0 = _mm256_fmadd_ps(w, x0, a0); a1 = _mm256_fmadd_ps(w, x1, a1);
                w = _mm256_broadcast_ss(p1 + j);
                b0 = _mm256_fmadd_ps(w, x0, b0); b1 = _mm256_fmadd_ps(w, x1, b1);
                w = _mm256_broadcast_ss(p2 + j);
                c0 = _mm256_fmadd_ps(w, x0, c0); c1 = _mm256_fmadd_ps(w, x1, c1);
                w = _mm256_broadcast_ss(p3 + j);
                e0 = _mm256_fmadd_ps(w, x0, e0); e1 = _mm256_fmadd_ps(w, x1, e1);
            }
            float *o = out + h * ldo + d;
            _mm256_storeu_ps(o, a0); _mm256_storeu_ps(o + 8, a1); o += ldo;
            _mm256_storeu_ps(o, b0); _mm256_storeu_ps(o + 8, b1); o += ldo;
            _mm256_storeu_ps(o, c0); _mm256_storeu_ps(o + 8, c1); o += ldo;
            _mm256_storeu_ps(o, e0); _mm256_storeu_ps(o + 8, e1);
        }
        if (h < heads) values_portable(p + h * ldp, ldp, cache, ldc, ctx, heads - h, out + h * ldo, ldo, d, d + 16);
    }
    if (d < d1) values_portable(p, ldp, cache, ldc, ctx, heads, out, ldo, d, d1);
}
#endif

void sk_attention_values(const float *p, size_t ldp, const float *cache, size_t ldc, size_t ctx, size_t heads,
                         float *out, size_t ldo, size_t d0, size_t d1) {
#if defined(__x86_64__)
    if (sk_level() >= SK_SIMD_AVX2) {
        values_avx2(p, ldp, cache, ldc, ctx, heads, out, ldo, d0, d1);
        return;
    }
#endif
    values_portable(p, ldp, cache, ldc, ctx, heads, out, ldo, d0, d1);
}
