// Decode attention with AVX2 (see attention_decode.c): 16 heads in a pair of registers, so every cached
// value is one broadcast that serves two FMAs.
#if defined(__x86_64__)
#include "sk_internal.h"
#include "simd_exp.h"
#include <math.h>
#include <immintrin.h>
#include <string.h>

enum { GROUP = 16, BLOCK = 64 };

/// Up to 6 accumulator pairs (16 lanes each): acc[i] += a[k] (16 lanes, a + k * 16) * b_i[k] for
/// k < count, where b_i[k] = b[i * bstride + k * bstep]. Scores: a = packed queries, b_i = cache row i.
/// Values: a = probabilities of row k, b_i = column i of cache row k.
#define TILE_STEP(I)                                                                               \
    if (mt > I) {                                                                                  \
        __m256 bv = _mm256_broadcast_ss(b + I * bstride + k * bstep);                              \
        c##I##0 = _mm256_fmadd_ps(a0, bv, c##I##0);                                                \
        c##I##1 = _mm256_fmadd_ps(a1, bv, c##I##1);                                                \
    }
#define TILE_STORE(I)                                                                              \
    if (mt > I) {                                                                                  \
        _mm256_store_ps(out + I * GROUP, c##I##0);                                                 \
        _mm256_store_ps(out + I * GROUP + 8, c##I##1);                                             \
    }
#define TILE_LOAD(I)                                                                               \
    if (mt > I) {                                                                                  \
        c##I##0 = _mm256_load_ps(out + I * GROUP);                                                 \
        c##I##1 = _mm256_load_ps(out + I * GROUP + 8);                                             \
    }
SK_TARGET_AVX2 static inline __attribute__((always_inline)) void
tile16(const int mt, const float *a, const float *b, size_t bstride, size_t bstep, size_t count, float *out,
       int accumulate) {
    __m256 c00 = _mm256_setzero_ps(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
    __m256 c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
    if (accumulate) { TILE_LOAD(0) TILE_LOAD(1) TILE_LOAD(2) TILE_LOAD(3) TILE_LOAD(4) TILE_LOAD(5) }
    for (size_t k = 0; k < count; k++) {
        __m256 a0 = _mm256_load_ps(a + k * GROUP), a1 = _mm256_load_ps(a + k * GROUP + 8);
        TILE_STEP(0) TILE_STEP(1) TILE_STEP(2) TILE_STEP(3) TILE_STEP(4) TILE_STEP(5)
    }
    TILE_STORE(0) TILE_STORE(1) TILE_STORE(2) TILE_STORE(3) TILE_STORE(4) TILE_STORE(5)
}
#undef TILE_STEP
#undef TILE_STORE
#undef TILE_LOAD

SK_TARGET_AVX2 static void tile16_any(size_t mt, const float *a, const float *b, size_t bstride, size_t bstep,
                                      size_t count, float *out, int accumulate) {
    switch (mt) {
    case 6: tile16(6, a, b, bstride, bstep, count, out, accumulate); return;
    case 5: tile16(5, a, b, bstride, bstep, count, out, accumulate); return;
    case 4: tile16(4, a, b, bstride, bstep, count, out, accumulate); return;
    case 3: tile16(3, a, b, bstride, bstep, count, out, accumulate); return;
    case 2: tile16(2, a, b, bstride, bstep, count, out, accumulate); return;
    default: tile16(1, a, b, bstride, bstep, count, out, accumulate); return;
    }
}

/// Heads [h0, h0 + 16) (those past `heads` are zero queries whose results are dropped).
SK_TARGET_AVX2 static void decode_group(const float *q, size_t heads, size_t h0, size_t qdim, const float *cache,
                                        size_t ldc, size_t j0, size_t j1, size_t vdim, float scale, float *m,
                                        float *l, float *acc) {
    float qt[SK_DECODE_MAX_DIM * GROUP] __attribute__((aligned(32)));      // queries, [d][head]
    float acct[SK_DECODE_MAX_DIM * GROUP] __attribute__((aligned(32)));    // weighted sums, [d][head]
    float scores[BLOCK * GROUP] __attribute__((aligned(32)));     // then probabilities, [row][head]
    float mv[GROUP] __attribute__((aligned(32))), lv[GROUP] __attribute__((aligned(32)));
    size_t live = heads - h0 < GROUP ? heads - h0 : GROUP;
    // Packed head by head, each read in order (a region cuts the cache into several calls, so this runs
    // per call); the lanes of missing heads stay zero.
    if (live < GROUP) memset(qt, 0, qdim * GROUP * sizeof(float));
    for (size_t i = 0; i < live; i++)
        for (size_t d = 0; d < qdim; d++) qt[d * GROUP + i] = q[(h0 + i) * qdim + d];
    int fresh = 1;  // no row seen yet (every live maximum -inf): the sums are zero, nothing to read
    for (size_t i = 0; i < GROUP; i++) {
        mv[i] = i < live ? m[h0 + i] : -INFINITY;
        lv[i] = i < live ? l[h0 + i] : 0;
        if (mv[i] != -INFINITY) fresh = 0;
    }
    if (fresh || live < GROUP) memset(acct, 0, vdim * GROUP * sizeof(float));
    if (!fresh)
        for (size_t i = 0; i < live; i++)
            for (size_t d = 0; d < vdim; d++) acct[d * GROUP + i] = acc[(h0 + i) * vdim + d];

    const __m256 vscale = _mm256_set1_ps(scale), ninf = _mm256_set1_ps(-INFINITY);
    for (size_t b0 = j0; b0 < j1; b0 += BLOCK) {
        size_t rows = j1 - b0 < BLOCK ? j1 - b0 : BLOCK;
        const float *block = cache + b0 * ldc;
        // Scores: 16 heads x 6 rows per tile, over the qdim columns.
        for (size_t r = 0; r < rows; r += 6) {
            size_t mt = rows - r < 6 ? rows - r : 6;
            tile16_any(mt, qt, block + r * ldc, ldc, 1, qdim, scores + r * GROUP, 0);
        }
        // Online softmax, all heads at once: the block's maximum, the rescale of what came before.
        for (int half = 0; half < 2; half++) {
            __m256 bm = ninf;
            for (size_t r = 0; r < rows; r++) {
                __m256 s = _mm256_mul_ps(_mm256_load_ps(scores + r * GROUP + 8 * half), vscale);
                _mm256_store_ps(scores + r * GROUP + 8 * half, s);
                bm = _mm256_max_ps(bm, s);
            }
            __m256 old = _mm256_load_ps(mv + 8 * half), nm = _mm256_max_ps(old, bm);
            // A lane never seen before (-inf) rescales by 0, not by exp(-inf - -inf) = NaN.
            __m256 rescale = _mm256_and_ps(exp8(_mm256_sub_ps(old, nm)), _mm256_cmp_ps(old, ninf, _CMP_NEQ_OQ));
            __m256 sum = _mm256_setzero_ps();
            for (size_t r = 0; r < rows; r++) {
                __m256 p = exp8(_mm256_sub_ps(_mm256_load_ps(scores + r * GROUP + 8 * half), nm));
                _mm256_store_ps(scores + r * GROUP + 8 * half, p);
                sum = _mm256_add_ps(sum, p);
            }
            _mm256_store_ps(lv + 8 * half, _mm256_fmadd_ps(_mm256_load_ps(lv + 8 * half), rescale, sum));
            _mm256_store_ps(mv + 8 * half, nm);
            for (size_t d = 0; d < vdim; d++) {
                float *a = acct + d * GROUP + 8 * half;
                _mm256_store_ps(a, _mm256_mul_ps(_mm256_load_ps(a), rescale));
            }
        }
        // Values: 16 heads x 6 columns per tile, over the block's rows (still in L2).
        for (size_t d = 0; d < vdim; d += 6) {
            size_t mt = vdim - d < 6 ? vdim - d : 6;
            tile16_any(mt, scores, block + d, 1, ldc, rows, acct + d * GROUP, 1);
        }
    }
    for (size_t i = 0; i < live; i++) {
        m[h0 + i] = mv[i];
        l[h0 + i] = lv[i];
        for (size_t d = 0; d < vdim; d++) acc[(h0 + i) * vdim + d] = acct[d * GROUP + i];
    }
}

SK_TARGET_AVX2 void sk_avx2_attention_decode(const float *q, size_t heads, size_t qdim, const float *cache, size_t ldc,
                                             size_t j0, size_t j1, size_t vdim, float scale, float *m, float *l,
                                             float *acc) {
    for (size_t h0 = 0; h0 < heads; h0 += GROUP)
        decode_group(q, heads, h0, qdim, cache, ldc, j0, j1, vdim, scale, m, l, acc);
}
#endif
