// Decode attention with AVX-512 (see attention_decode.c): 16 heads fill one register, so every score and
// value step is one FMA with an embedded broadcast of a cached float, half the instructions of AVX2's
// register pairs. The tiles keep 16 independent accumulators (FMA latency 4 at two per cycle needs 8),
// and a value tile is one cache line of each row. Between two tokens the cache leaves the caches (the
// weights stream through), so while a block is scored the next one is prefetched into L2, one line per
// column step: 1.5x faster from memory than leaving it to the hardware prefetcher.
#if defined(__x86_64__)
#include "sk_internal.h"
#include "online_softmax.h"
#include <math.h>
#include <immintrin.h>

enum { GROUP = 16, BLOCK = 64, TILE_ROWS = 16, TILE_COLS = 16, VALUE_AHEAD = 4 };

/// M(0) ... M(15): the unrolled steps of a 16-register tile.
#define EACH16(M) M(0) M(1) M(2) M(3) M(4) M(5) M(6) M(7) M(8) M(9) M(10) M(11) M(12) M(13) M(14) M(15)
/// out[i] (16 heads) = Σ_d qt[d] * row_i[d] for the `mt` rows at rows + i * ldc: one accumulator per row,
/// and each packed query (a cache line) serves up to 16 rows. Prefetches the qdim lines from `ahead`.
#define SCORE_DECLARE(I) __m512 c##I = _mm512_setzero_ps();
#define SCORE_STEP(I) \
    if (mt > I) c##I = _mm512_fmadd_ps(qv, _mm512_set1_ps(rows[I * ldc + d]), c##I);
#define SCORE_STORE(I) \
    if (mt > I) _mm512_store_ps(out + I * GROUP, c##I);
SK_TARGET_AVX512 static inline __attribute__((always_inline)) void
score_tile(const int mt, const float *qt, const float *rows, size_t ldc, size_t qdim, const char *ahead,
           float *out) {
    EACH16(SCORE_DECLARE)
    for (size_t d = 0; d < qdim; d++) {
        _mm_prefetch(ahead + d * 64, _MM_HINT_T1);
        __m512 qv = _mm512_load_ps(qt + d * GROUP);
        EACH16(SCORE_STEP)
    }
    EACH16(SCORE_STORE)
}
#undef SCORE_DECLARE
#undef SCORE_STEP
#undef SCORE_STORE

SK_TARGET_AVX512 static void score_tile_any(size_t mt, const float *qt, const float *rows, size_t ldc,
                                            size_t qdim, const char *ahead, float *out) {
    switch (mt) {
#define SCORE_CASE(I) case I + 1: score_tile(I + 1, qt, rows, ldc, qdim, ahead, out); return;
    EACH16(SCORE_CASE)
#undef SCORE_CASE
    }
}

/// acc[d0 + i] (16 heads) = acc[d0 + i] * rescale + Σ_r p[r] * row_r[d0 + i] for i < 16: one cache line
/// of each row, 16 independent accumulators.
#define VALUE_DECLARE(I) __m512 a##I = _mm512_mul_ps(_mm512_load_ps(acc + (d0 + I) * GROUP), rescale);
#define VALUE_STEP(I) a##I = _mm512_fmadd_ps(p, _mm512_set1_ps(row[d0 + I]), a##I);
#define VALUE_STORE(I) _mm512_store_ps(acc + (d0 + I) * GROUP, a##I);
SK_TARGET_AVX512 static void value_tile(const float *probs, const float *block, size_t ldc, size_t rows, size_t d0,
                                        __m512 rescale, float *acc) {
    EACH16(VALUE_DECLARE)
    for (size_t r = 0; r < rows; r++) {
        const float *row = block + r * ldc;
        // Rows are ldc floats apart (2,304 bytes in DeepSeek models), more than the hardware prefetcher
        // follows into L1.
        _mm_prefetch((const char *)(row + VALUE_AHEAD * ldc + d0), _MM_HINT_T0);
        __m512 p = _mm512_load_ps(probs + r * GROUP);
        EACH16(VALUE_STEP)
    }
    EACH16(VALUE_STORE)
}
#undef VALUE_DECLARE
#undef VALUE_STEP
#undef VALUE_STORE

/// One column at a time, for the vdim % 16 columns left after the tiles.
SK_TARGET_AVX512 static void value_column(const float *probs, const float *block, size_t ldc, size_t rows,
                                          size_t d, __m512 rescale, float *acc) {
    __m512 a = _mm512_mul_ps(_mm512_load_ps(acc + d * GROUP), rescale);
    for (size_t r = 0; r < rows; r++)
        a = _mm512_fmadd_ps(_mm512_load_ps(probs + r * GROUP), _mm512_set1_ps(block[r * ldc + d]), a);
    _mm512_store_ps(acc + d * GROUP, a);
}

/// Heads [h0, h0 + 16) (those past `heads` are zero queries whose results are dropped).
SK_TARGET_AVX512 static void decode_group(const float *q, size_t heads, size_t h0, size_t qdim, const float *cache,
                                          size_t ldc, size_t j0, size_t j1, size_t vdim, float scale, float *m,
                                          float *l, float *acc) {
    float qt[SK_DECODE_MAX_DIM * GROUP] __attribute__((aligned(64)));    // queries, [d][head]
    float acct[SK_DECODE_MAX_DIM * GROUP] __attribute__((aligned(64)));  // weighted sums, [d][head]
    float scores[BLOCK * GROUP] __attribute__((aligned(64)));            // then probabilities, [row][head]
    size_t live = heads - h0 < GROUP ? heads - h0 : GROUP;
    __mmask16 lanes = (__mmask16)((1u << live) - 1);
    const __m512 ninf = _mm512_set1_ps(-INFINITY), vscale = _mm512_set1_ps(scale);
    __m512 mv = _mm512_mask_loadu_ps(ninf, lanes, m + h0);
    __m512 lv = _mm512_maskz_loadu_ps(lanes, l + h0);
    // Packed with gathers (a region cuts the cache into several calls, so this runs per call): lane i
    // of step d reads head h0 + i's value d.
    const __m512i lane = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    const __m512i qrows = _mm512_mullo_epi32(lane, _mm512_set1_epi32((int)qdim));
    const float *qh = q + h0 * qdim;
    for (size_t d = 0; d < qdim; d++)
        _mm512_store_ps(qt + d * GROUP, _mm512_mask_i32gather_ps(_mm512_setzero_ps(), lanes, qrows, qh + d, 4));
    // A state that has seen no row (every live maximum -inf) has zero sums: nothing to gather.
    int fresh = _mm512_mask_cmp_ps_mask(lanes, mv, ninf, _CMP_NEQ_OQ) == 0;
    const __m512i vrows = _mm512_mullo_epi32(lane, _mm512_set1_epi32((int)vdim));
    for (size_t d = 0; d < vdim; d++)
        _mm512_store_ps(acct + d * GROUP, fresh ? _mm512_setzero_ps()
                                                : _mm512_mask_i32gather_ps(_mm512_setzero_ps(), lanes, vrows,
                                                                           acc + h0 * vdim + d, 4));

    for (size_t b0 = j0; b0 < j1; b0 += BLOCK) {
        size_t rows = j1 - b0 < BLOCK ? j1 - b0 : BLOCK;
        const float *block = cache + b0 * ldc;
        for (size_t r = 0; r < rows; r += TILE_ROWS) {
            size_t mt = rows - r < TILE_ROWS ? rows - r : TILE_ROWS;
            // The next block is BLOCK * ldc * 4 bytes from here, as many lines as this block's tiles
            // have columns when ldc = qdim (as in DeepSeek's 576): tile t prefetches its share.
            // Past the last row these are prefetches of unused memory, which never fault.
            const char *ahead = (const char *)(block + BLOCK * ldc) + (r / TILE_ROWS) * qdim * 64;
            score_tile_any(mt, qt, block + r * ldc, ldc, qdim, ahead, scores + r * GROUP);
        }
        // Online softmax, all heads at once: the block's maximum, then the rescale of what came before.
        __m512 rescale = sk_online_softmax_block16(scores, rows, vscale, &mv, &lv);
        size_t d = 0;
        for (; d + TILE_COLS <= vdim; d += TILE_COLS) value_tile(scores, block, ldc, rows, d, rescale, acct);
        for (; d < vdim; d++) value_column(scores, block, ldc, rows, d, rescale, acct);
    }
    _mm512_mask_storeu_ps(m + h0, lanes, mv);
    _mm512_mask_storeu_ps(l + h0, lanes, lv);
    // Back to [head][d]: 16 values of one head are every 16th float of acct.
    const __m512i stride = _mm512_mullo_epi32(lane, _mm512_set1_epi32(GROUP));
    for (size_t i = 0; i < live; i++) {
        float *ah = acc + (h0 + i) * vdim;
        size_t d = 0;
        for (; d + 16 <= vdim; d += 16) _mm512_storeu_ps(ah + d, _mm512_i32gather_ps(stride, acct + d * GROUP + i, 4));
        for (; d < vdim; d++) ah[d] = acct[d * GROUP + i];
    }
}

SK_TARGET_AVX512 void sk_avx512_attention_decode(const float *q, size_t heads, size_t qdim, const float *cache,
                                                 size_t ldc, size_t j0, size_t j1, size_t vdim, float scale,
                                                 float *m, float *l, float *acc) {
    for (size_t h0 = 0; h0 < heads; h0 += GROUP)
        decode_group(q, heads, h0, qdim, cache, ldc, j0, j1, vdim, scale, m, l, acc);
}
#endif
