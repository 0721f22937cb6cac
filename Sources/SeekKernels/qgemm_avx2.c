// AVX2 batched product of q8 / q4 weights with int8 tokens, and the panel packer and loop that the
// AVX-512 VNNI kernel shares. Weights are repacked once per call into 16-row integer panels (see
// sk_internal.h) that stay in L1/L2 while every tile of tokens passes over them; a tile multiplies
// 4-column chunks of 8 rows by one token's 4 bytes broadcast (q4: vpmaddubsw), or 2-column chunks of
// 8 rows by one token's 2 values (q8: vpmaddwd), and each 32-column block ends with one conversion and
// one FMA per 8 rows and token (scales of the weight rows times the token's block scale).
#if defined(__x86_64__)
#include "sk_internal.h"
#include <immintrin.h>

enum { ROW_BLOCK = 64, PANELS = ROW_BLOCK / SK_QPANEL_ROWS };

/// q8 groups g and g + 1 as SK_PANEL_WIDE16: a chunk's 32 bytes (8 rows x 4 columns) regrouped per
/// 128-bit lane into the rows' (c0, c1) pairs then (c2, c3) pairs, the lanes' halves brought together,
/// and each half widened to int16.
SK_TARGET_AVX2 static void pack_wide16_panel(const void *w, size_t nblocks, size_t g, int two_groups, size_t b0,
                                             size_t nbk, uint8_t *panel) {
    size_t group_bytes = nblocks * SK_QROWS * SK_Q8_BLOCK_BYTES;
    const __m256i pairs = _mm256_setr_epi8(0, 1, 4, 5, 8, 9, 12, 13, 2, 3, 6, 7, 10, 11, 14, 15,
                                           0, 1, 4, 5, 8, 9, 12, 13, 2, 3, 6, 7, 10, 11, 14, 15);
    for (size_t b = 0; b < nbk; b++) {
        uint8_t *dst = panel + b * SK_WIDE_PANEL_BLOCK_BYTES;
        for (size_t h = 0; h < 2; h++) {
            if (h == 1 && !two_groups) {
                _mm256_store_ps((float *)dst + 8, _mm256_setzero_ps());
                for (int k = 0; k < 8; k++) {
                    _mm256_store_si256((__m256i *)(dst + 64 + 128 * k + 64), _mm256_setzero_si256());
                    _mm256_store_si256((__m256i *)(dst + 64 + 128 * k + 96), _mm256_setzero_si256());
                }
                continue;
            }
            const uint8_t *gb = sk_qgroup_block(w, group_bytes, SK_Q8_BLOCK_BYTES, g + h, b0 + b);
            _mm256_store_ps((float *)dst + 8 * h, _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)gb)));
            for (int k = 0; k < 8; k++) {
                __m256i raw = _mm256_loadu_si256((const __m256i *)(gb + 16 + 32 * k));
                // [rows 0-3 (c0,c1) | rows 0-3 (c2,c3) | rows 4-7 (c0,c1) | rows 4-7 (c2,c3)] ->
                // [rows 0-7 (c0,c1) | rows 0-7 (c2,c3)]
                __m256i grouped = _mm256_permute4x64_epi64(_mm256_shuffle_epi8(raw, pairs), 0xD8);
                __m256i *out = (__m256i *)(dst + 64 + 128 * k + 64 * h);
                _mm256_store_si256(out, _mm256_cvtepi8_epi16(_mm256_castsi256_si128(grouped)));
                _mm256_store_si256(out + 1, _mm256_cvtepi8_epi16(_mm256_extracti128_si256(grouped, 1)));
            }
        }
    }
}

SK_TARGET_AVX2 void sk_avx2_pack_int8_panel(int q4, int encoding, const void *w, size_t nblocks, size_t g,
                                            int two_groups, size_t b0, size_t nbk, uint8_t *panel) {
    size_t bb = q4 ? SK_Q4_BLOCK_BYTES : SK_Q8_BLOCK_BYTES, group_bytes = nblocks * SK_QROWS * bb;
    const __m256i low = _mm256_set1_epi8(15), flip = _mm256_set1_epi8(encoding == SK_PANEL_UNSIGNED ? (char)0x80 : 0);
    // Signed panels hold q4 as nibble - 8, in [-8, 7].
    const __m256i nibble_offset = _mm256_set1_epi8(encoding == SK_PANEL_SIGNED ? 8 : 0);
    if (encoding == SK_PANEL_WIDE16) {
        pack_wide16_panel(w, nblocks, g, two_groups, b0, nbk, panel);
        return;
    }
    for (size_t b = 0; b < nbk; b++) {
        uint8_t *dst = panel + b * SK_QPANEL_BLOCK_BYTES;
        for (size_t h = 0; h < 2; h++) {
            if (h == 1 && !two_groups) {
                _mm256_store_ps((float *)dst + 8, _mm256_setzero_ps());
                // Zero weights in the panel's byte encoding: nibble 8 (q4), 0 ^ flip (q8).
                __m256i zero = q4 ? _mm256_sub_epi8(_mm256_set1_epi8(8), nibble_offset) : flip;
                for (int k = 0; k < 8; k++) _mm256_store_si256((__m256i *)(dst + 64 + 64 * k + 32), zero);
                continue;
            }
            const uint8_t *gb = sk_qgroup_block(w, group_bytes, bb, g + h, b0 + b);
            _mm256_store_ps((float *)dst + 8 * h, _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)gb)));
            if (q4) {
                for (int k = 0; k < 4; k++) {
                    __m256i raw = _mm256_loadu_si256((const __m256i *)(gb + 16 + 32 * k));
                    _mm256_store_si256((__m256i *)(dst + 64 + 64 * k + 32 * h),
                                       _mm256_sub_epi8(_mm256_and_si256(raw, low), nibble_offset));
                    _mm256_store_si256((__m256i *)(dst + 64 + 64 * (k + 4) + 32 * h),
                                       _mm256_sub_epi8(_mm256_and_si256(_mm256_srli_epi16(raw, 4), low), nibble_offset));
                }
            } else {
                for (int k = 0; k < 8; k++)
                    _mm256_store_si256((__m256i *)(dst + 64 + 64 * k + 32 * h),
                                       _mm256_xor_si256(_mm256_loadu_si256((const __m256i *)(gb + 16 + 32 * k)), flip));
            }
        }
    }
}

/// Stores (or adds) one token's 16 results, only rows [lo, hi) of the panel.
SK_TARGET_AVX2 static inline void store16(float *yt, __m256 a, __m256 b, size_t lo, size_t hi, int accumulate) {
    if (lo == 0 && hi == SK_QPANEL_ROWS) {
        if (accumulate) {
            a = _mm256_add_ps(a, _mm256_loadu_ps(yt));
            b = _mm256_add_ps(b, _mm256_loadu_ps(yt + 8));
        }
        _mm256_storeu_ps(yt, a);
        _mm256_storeu_ps(yt + 8, b);
        return;
    }
    float out[SK_QPANEL_ROWS] __attribute__((aligned(32)));
    _mm256_store_ps(out, a);
    _mm256_store_ps(out + 8, b);
    for (size_t i = lo; i < hi; i++) yt[i] = accumulate ? yt[i] + out[i] : out[i];
}

/// int8 values to int16, n a multiple of 16.
SK_TARGET_AVX2 static void widen_int8(const int8_t *src, size_t n, int16_t *dst) {
    for (size_t i = 0; i < n; i += 16)
        _mm256_store_si256((__m256i *)(dst + i), _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(src + i))));
}

SK_TARGET_AVX2 void sk_int8_matmul_driver(int q4, int encoding, sk_int8_tile_fn tile, size_t max_tile,
                                          const void *w, const sk_qtokens *x, float *y, size_t n, size_t r0,
                                          size_t r1, size_t ldy) {
    _Static_assert(SK_WIDE_PANEL_BLOCKS * SK_WIDE_PANEL_BLOCK_BYTES <= SK_QPANEL_BLOCKS * SK_QPANEL_BLOCK_BYTES,
                   "wide panels fit the panels' room");
    uint8_t panels[PANELS * SK_QPANEL_BLOCKS * SK_QPANEL_BLOCK_BYTES] __attribute__((aligned(64)));
    int16_t widened[SK_WIDE_TILE * SK_WIDE_PANEL_BLOCKS * SK_QBLOCK] __attribute__((aligned(32)));
    const int wide = encoding == SK_PANEL_WIDE16;
    const size_t panel_blocks = wide ? SK_WIDE_PANEL_BLOCKS : SK_QPANEL_BLOCKS;
    const size_t panel_bytes = panel_blocks * (wide ? SK_WIDE_PANEL_BLOCK_BYTES : SK_QPANEL_BLOCK_BYTES);
    size_t nb = x->nblocks, group_end = (r1 + SK_QROWS - 1) / SK_QROWS;
    size_t first = r0 / SK_QROWS * SK_QROWS;  // panels start on a group
    size_t tiles = (n + max_tile - 1) / max_tile;
    for (size_t rb = first; rb < r1; rb += ROW_BLOCK) {
        size_t count = (r1 - rb + SK_QPANEL_ROWS - 1) / SK_QPANEL_ROWS;
        if (count > PANELS) count = PANELS;
        for (size_t b0 = 0; b0 < nb; b0 += panel_blocks) {
            size_t nbk = nb - b0 < panel_blocks ? nb - b0 : panel_blocks;
            for (size_t p = 0; p < count; p++) {
                size_t g = (rb + p * SK_QPANEL_ROWS) / SK_QROWS;
                sk_avx2_pack_int8_panel(q4, encoding, w, nb, g, g + 1 < group_end, b0, nbk, panels + p * panel_bytes);
            }
            // Equal tiles (7 tokens: 4 + 3, not 6 + 1), as the float kernel.
            for (size_t i = 0; i < tiles; i++) {
                size_t t0 = n * i / tiles, mt = n * (i + 1) / tiles - t0;
                const int8_t *xq = x->q + (t0 * nb + b0) * SK_QBLOCK;
                if (wide) {  // once for all the row block's panels
                    for (size_t t = 0; t < mt; t++)
                        widen_int8(xq + t * nb * SK_QBLOCK, nbk * SK_QBLOCK, widened + t * SK_WIDE_PANEL_BLOCKS * SK_QBLOCK);
                    xq = (const int8_t *)widened;
                }
                for (size_t p = 0; p < count; p++) {
                    size_t start = rb + p * SK_QPANEL_ROWS;
                    size_t lo = start < r0 ? r0 - start : 0;
                    size_t hi = r1 - start < SK_QPANEL_ROWS ? r1 - start : SK_QPANEL_ROWS;
                    tile(mt, q4, panels + p * panel_bytes, nbk, xq, x->scale + t0 * nb + b0, x->sum + t0 * nb + b0, nb,
                         y + t0 * ldy + start, ldy, lo, hi, b0 > 0);
                }
            }
        }
    }
}

// ---- AVX2 tiles: up to 4 tokens x 16 rows -------------------------------------------------------------
// q4 (nibbles 0..15), two 8-row halves in turn: vpmaddubsw(nib, x) directly; 8 chunks add in int16 (at
// most 8 * 2 * 15 * 127 = 30480) before one vpmaddwd, and the nibbles' offset 8 comes off as 8 * sum(x).
//
// q8, both halves at once: vpmaddwd on int16 weights and tokens (SK_PANEL_WIDE16), int32 sums.
// vpmaddubsw would need |w|, x with w's sign and a vpmaddwd per chunk anyway (two chunks' pair sums
// could overflow int16): a third more instructions for the same integers, 1.06-1.09x slower on a
// Xeon (Emerald Rapids). The chunk loop stays rolled: unrolled, the compiler hoists all eight chunks'
// weights and spills them.

enum { AVX2_TILE = SK_WIDE_TILE };

SK_TARGET_AVX2 static inline __attribute__((always_inline)) void
q4_tile(const int mt, const uint8_t *panel, size_t nbk, const int8_t *xq, const float *xd,
          const int32_t *xs, size_t nb, float *y, size_t ldy, size_t lo, size_t hi, int accumulate) {
    const __m256i ones = _mm256_set1_epi16(1);
    __m256 acc[2][AVX2_TILE];
    for (int h = 0; h < 2; h++) {
        for (int t = 0; t < AVX2_TILE; t++) acc[h][t] = _mm256_setzero_ps();
        for (size_t b = 0; b < nbk; b++) {
            const uint8_t *pb = panel + b * SK_QPANEL_BLOCK_BYTES;
            __m256i isum[AVX2_TILE];
            for (int t = 0; t < AVX2_TILE; t++) isum[t] = _mm256_setzero_si256();
            for (int k = 0; k < 8; k++) {
                __m256i wv = _mm256_load_si256((const __m256i *)(pb + 64 + 64 * k + 32 * h));
                for (int t = 0; t < mt; t++) {
                    __m256i xv = _mm256_set1_epi32(*(const int32_t *)(xq + (t * nb + b) * SK_QBLOCK + 4 * k));
                    isum[t] = _mm256_add_epi16(isum[t], _mm256_maddubs_epi16(wv, xv));
                }
            }
            __m256 dw = _mm256_load_ps((const float *)pb + 8 * h);
            for (int t = 0; t < mt; t++) {
                __m256i s = _mm256_sub_epi32(_mm256_madd_epi16(isum[t], ones), _mm256_set1_epi32(8 * xs[t * nb + b]));
                acc[h][t] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(s), _mm256_mul_ps(dw, _mm256_set1_ps(xd[t * nb + b])),
                                            acc[h][t]);
            }
        }
    }
    for (int t = 0; t < mt; t++) store16(y + t * ldy, acc[0][t], acc[1][t], lo, hi, accumulate);
}

/// xq: the tile's tokens widened to int16, SK_WIDE_PANEL_BLOCKS blocks apart.
SK_TARGET_AVX2 static inline __attribute__((always_inline)) void
q8_tile(const int mt, const uint8_t *panel, size_t nbk, const int8_t *xq, const float *xd, size_t nb, float *y,
        size_t ldy, size_t lo, size_t hi, int accumulate) {
    __m256 acc[AVX2_TILE][2];
    for (int t = 0; t < AVX2_TILE; t++) acc[t][0] = acc[t][1] = _mm256_setzero_ps();
    for (size_t b = 0; b < nbk; b++) {
        const uint8_t *pb = panel + b * SK_WIDE_PANEL_BLOCK_BYTES;
        const int16_t *xb = (const int16_t *)(const void *)xq + b * SK_QBLOCK;
        __m256i isum[AVX2_TILE][2];
        for (int t = 0; t < AVX2_TILE; t++) isum[t][0] = isum[t][1] = _mm256_setzero_si256();
#pragma clang loop unroll(disable)
        for (int k = 0; k < 8; k++) {
            const __m256i *wk = (const __m256i *)(pb + 64 + 128 * k);
            __m256i w00 = _mm256_load_si256(wk), w01 = _mm256_load_si256(wk + 1);
            __m256i w10 = _mm256_load_si256(wk + 2), w11 = _mm256_load_si256(wk + 3);
            for (int t = 0; t < mt; t++) {
                const int16_t *xt = xb + t * SK_WIDE_PANEL_BLOCKS * SK_QBLOCK + 4 * k;
                __m256i x01 = _mm256_set1_epi32(*(const int32_t *)(const void *)xt);
                __m256i x23 = _mm256_set1_epi32(*(const int32_t *)(const void *)(xt + 2));
                isum[t][0] = _mm256_add_epi32(isum[t][0], _mm256_add_epi32(_mm256_madd_epi16(w00, x01),
                                                                           _mm256_madd_epi16(w01, x23)));
                isum[t][1] = _mm256_add_epi32(isum[t][1], _mm256_add_epi32(_mm256_madd_epi16(w10, x01),
                                                                           _mm256_madd_epi16(w11, x23)));
            }
        }
        __m256 dw0 = _mm256_load_ps((const float *)pb), dw1 = _mm256_load_ps((const float *)pb + 8);
        for (int t = 0; t < mt; t++) {
            __m256 dx = _mm256_set1_ps(xd[t * nb + b]);
            acc[t][0] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(isum[t][0]), _mm256_mul_ps(dw0, dx), acc[t][0]);
            acc[t][1] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(isum[t][1]), _mm256_mul_ps(dw1, dx), acc[t][1]);
        }
    }
    for (int t = 0; t < mt; t++) store16(y + t * ldy, acc[t][0], acc[t][1], lo, hi, accumulate);
}

SK_TARGET_AVX2 static void avx2_tile_any(size_t mt, int q4, const uint8_t *panel, size_t nbk, const int8_t *xq,
                                         const float *xd, const int32_t *xs, size_t nb, float *y, size_t ldy,
                                         size_t lo, size_t hi, int accumulate) {
    // Constant token counts, so the accumulators stay in registers and the loops unroll.
#define AVX2_TILE_CASE(N)                                                                            \
    case N:                                                                                          \
        if (q4) q4_tile(N, panel, nbk, xq, xd, xs, nb, y, ldy, lo, hi, accumulate);                  \
        else q8_tile(N, panel, nbk, xq, xd, nb, y, ldy, lo, hi, accumulate);                         \
        return;
    switch (mt) {
    AVX2_TILE_CASE(4)
    AVX2_TILE_CASE(3)
    AVX2_TILE_CASE(2)
    default: AVX2_TILE_CASE(1)
    }
#undef AVX2_TILE_CASE
}

void sk_avx2_matmul_int8(int q4, const void *w, const sk_qtokens *x, float *y, size_t n, size_t r0, size_t r1,
                         size_t ldy) {
    sk_int8_matmul_driver(q4, q4 ? SK_PANEL_AVX2 : SK_PANEL_WIDE16, avx2_tile_any, AVX2_TILE, w, x, y, n, r0, r1, ldy);
}
#endif
