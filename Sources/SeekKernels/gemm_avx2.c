// AVX2 + FMA + F16C batched product Y = X · Wᵀ. For each block of up to 64 output rows and 256 columns,
// the weights are converted once into float32 panels of 16 rows, transposed so that one column of the
// panel (16 rows at one k) is two vectors; a 6-token x 16-row micro-kernel then broadcasts x and keeps
// 12 accumulators in registers. The 16 KB panel stays in L1 and the 64 KB block in L2 while every
// token block reuses them, so each weight is read and converted once per call. The packing and the loop
// (sk_gemm_driver) also serve the AVX-512 kernel, whose tile takes a whole panel column in one register.
#if defined(__x86_64__)
#include "sk_internal.h"
#include <immintrin.h>

enum { NR = 16, MR = 6, ROW_BLOCK = 64 };

// ---- packing: rows [row, row + nr) x columns [k0, k0 + kc) into panel[k * 16 + i] -----------------------

/// bf16 / f16: 8 rows x 8 columns transposed in the 16-bit domain (128-bit unpacks), then widened.
SK_TARGET_AVX2 static void pack_16bit(int format, const uint16_t *w, size_t cols, size_t row, size_t nr,
                                      size_t k0, size_t kc, float *panel) {
    const __m128i zero = _mm_setzero_si128();
    size_t kc8 = kc & ~(size_t)7;
    for (size_t g = 0; g < NR; g += 8) {
        size_t m = nr > g ? (nr - g < 8 ? nr - g : 8) : 0;
        size_t kdone = 0;
        if (m == 8) {
            const uint16_t *src = w + (row + g) * cols + k0;
            for (size_t k = 0; k < kc8; k += 8) {
                __m128i a[8];
                for (int i = 0; i < 8; i++) a[i] = _mm_loadu_si128((const __m128i *)(src + i * cols + k));
                // The same rows' next K block, so reading it from memory overlaps this block's FMAs
                // (64 short row pieces are too many streams for the hardware prefetcher). Prefetching past
                // the matrix cannot fault.
                if ((k & 31) == 0)
                    for (int i = 0; i < 8; i++) _mm_prefetch((const char *)(src + i * cols + k + SK_GEMM_KC), _MM_HINT_T0);
                __m128i t0 = _mm_unpacklo_epi16(a[0], a[1]), t1 = _mm_unpackhi_epi16(a[0], a[1]);
                __m128i t2 = _mm_unpacklo_epi16(a[2], a[3]), t3 = _mm_unpackhi_epi16(a[2], a[3]);
                __m128i t4 = _mm_unpacklo_epi16(a[4], a[5]), t5 = _mm_unpackhi_epi16(a[4], a[5]);
                __m128i t6 = _mm_unpacklo_epi16(a[6], a[7]), t7 = _mm_unpackhi_epi16(a[6], a[7]);
                __m128i u0 = _mm_unpacklo_epi32(t0, t2), u1 = _mm_unpackhi_epi32(t0, t2);
                __m128i u2 = _mm_unpacklo_epi32(t1, t3), u3 = _mm_unpackhi_epi32(t1, t3);
                __m128i u4 = _mm_unpacklo_epi32(t4, t6), u5 = _mm_unpackhi_epi32(t4, t6);
                __m128i u6 = _mm_unpacklo_epi32(t5, t7), u7 = _mm_unpackhi_epi32(t5, t7);
                float *dst = panel + k * NR + g;
                if (format == SK_GEMM_BF16) {
                    // u0 = rows 0-3 at k, k+1 (16-bit): widening with zero low halves gives the floats of
                    // rows 0-3 at k and at k+1 directly, one shuffle stage fewer than a full transpose.
                    __m128i u[8] = {u0, u1, u2, u3, u4, u5, u6, u7};
                    for (int j = 0; j < 4; j++) {
                        _mm_store_si128((__m128i *)(dst + 2 * j * NR), _mm_unpacklo_epi16(zero, u[j]));
                        _mm_store_si128((__m128i *)(dst + (2 * j + 1) * NR), _mm_unpackhi_epi16(zero, u[j]));
                        _mm_store_si128((__m128i *)(dst + 2 * j * NR + 4), _mm_unpacklo_epi16(zero, u[j + 4]));
                        _mm_store_si128((__m128i *)(dst + (2 * j + 1) * NR + 4), _mm_unpackhi_epi16(zero, u[j + 4]));
                    }
                } else {
                    __m128i v[8] = {_mm_unpacklo_epi64(u0, u4), _mm_unpackhi_epi64(u0, u4),
                                    _mm_unpacklo_epi64(u1, u5), _mm_unpackhi_epi64(u1, u5),
                                    _mm_unpacklo_epi64(u2, u6), _mm_unpackhi_epi64(u2, u6),
                                    _mm_unpacklo_epi64(u3, u7), _mm_unpackhi_epi64(u3, u7)};
                    for (int j = 0; j < 8; j++) _mm256_store_ps(dst + j * NR, _mm256_cvtph_ps(v[j]));
                }
            }
            kdone = kc8;
        }
        // Partial groups, the column tail, and the zero padding below the last row.
        for (size_t i = 0; i < 8; i++) {
            const uint16_t *src = w + (row + g + i) * cols + k0;
            for (size_t k = kdone; k < kc; k++) {
                float v = 0;
                if (i < m) v = format == SK_GEMM_BF16 ? sk_bf16_bits_to_f32(src[k]) : sk_f16_bits_to_f32(src[k]);
                panel[k * NR + g + i] = v;
            }
            if (m < 8)  // the vector loop skipped this group entirely
                for (size_t k = 0; k < kdone; k++) panel[k * NR + g + i] = 0;
        }
    }
}

/// float32 rows (ld apart): 8 x 8 transposes from 128-bit halves (no cross-lane shuffles).
SK_TARGET_AVX2 static void pack_f32(const float *src, size_t ld, size_t nr, size_t kc, float *panel) {
    size_t kc8 = kc & ~(size_t)7;
    for (size_t g = 0; g < NR; g += 8) {
        size_t m = nr > g ? (nr - g < 8 ? nr - g : 8) : 0;
        size_t kdone = 0;
        if (m == 8) {
            const float *s = src + g * ld;
            for (size_t k = 0; k < kc8; k += 8) {
                __m256 r[8];
                for (int h = 0; h < 2; h++)
                    for (int i = 0; i < 4; i++)
                        r[h * 4 + i] = _mm256_insertf128_ps(
                            _mm256_castps128_ps256(_mm_loadu_ps(s + i * ld + k + 4 * h)),
                            _mm_loadu_ps(s + (i + 4) * ld + k + 4 * h), 1);
                float *dst = panel + k * NR + g;
                for (int h = 0; h < 2; h++) {
                    __m256 t0 = _mm256_unpacklo_ps(r[h * 4], r[h * 4 + 1]);
                    __m256 t1 = _mm256_unpackhi_ps(r[h * 4], r[h * 4 + 1]);
                    __m256 t2 = _mm256_unpacklo_ps(r[h * 4 + 2], r[h * 4 + 3]);
                    __m256 t3 = _mm256_unpackhi_ps(r[h * 4 + 2], r[h * 4 + 3]);
                    float *d = dst + 4 * h * NR;
                    _mm256_store_ps(d, _mm256_shuffle_ps(t0, t2, 0x44));
                    _mm256_store_ps(d + NR, _mm256_shuffle_ps(t0, t2, 0xEE));
                    _mm256_store_ps(d + 2 * NR, _mm256_shuffle_ps(t1, t3, 0x44));
                    _mm256_store_ps(d + 3 * NR, _mm256_shuffle_ps(t1, t3, 0xEE));
                }
            }
            kdone = kc8;
        }
        for (size_t i = 0; i < 8; i++) {
            for (size_t k = kdone; k < kc; k++) panel[k * NR + g + i] = i < m ? src[(g + i) * ld + k] : 0;
            if (m < 8)
                for (size_t k = 0; k < kdone; k++) panel[k * NR + g + i] = 0;
        }
    }
}

/// One 32-byte chunk of a quantized group-block (4 columns of 8 rows, row-major: byte 4j + t) as the
/// 8 rows' floats at each of the 4 columns: d[j] * q, stored at panel[t * 16] (8 rows each).
SK_TARGET_AVX2 static inline void unpack_chunk(__m256i bytes, __m256 d, float *panel) {
    // Within each 128-bit lane (rows 0-3, rows 4-7): byte 4j + t -> 4t + j; then dword pairs so that
    // each 64-bit quarter holds one column's 8 rows.
    const __m256i transpose = _mm256_setr_epi8(0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15,
                                               0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15);
    __m256i v = _mm256_permutevar8x32_epi32(_mm256_shuffle_epi8(bytes, transpose),
                                            _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
    __m128i lo = _mm256_castsi256_si128(v), hi = _mm256_extracti128_si256(v, 1);
    __m128i columns[4] = {lo, _mm_srli_si128(lo, 8), hi, _mm_srli_si128(hi, 8)};
    for (int t = 0; t < 4; t++)
        _mm256_store_ps(panel + t * NR, _mm256_mul_ps(d, _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(columns[t]))));
}

/// q8 / q4 rows [row, row + nr) (row a multiple of 8, so the panel is two whole 8-row groups of the
/// interleaved layout, the second absent when nr <= 8) straight into the panel: the same floats d * q as sk_dequantize_qN_rows.
SK_TARGET_AVX2 static void pack_quantized(int q4, const void *w, size_t cols, size_t row, size_t nr, size_t k0,
                                          size_t kc, float *panel) {
    size_t bb = q4 ? SK_Q4_BLOCK_BYTES : SK_Q8_BLOCK_BYTES;
    size_t group_bytes = (cols + SK_QBLOCK - 1) / SK_QBLOCK * SK_QROWS * bb;
    float tail[SK_QBLOCK * NR] __attribute__((aligned(32)));
    for (size_t h = 0; h < 2; h++) {
        if (h * SK_QROWS >= nr) {  // no such group in the matrix: zero rows
            for (size_t k = 0; k < kc; k++) _mm256_store_ps(panel + k * NR + 8 * h, _mm256_setzero_ps());
            continue;
        }
        for (size_t k = 0; k < kc; k += SK_QBLOCK) {
            const uint8_t *gb = sk_qgroup_block(w, group_bytes, bb, row / SK_QROWS + h, (k0 + k) / SK_QBLOCK);
            // A partial last block (cols not a multiple of 32) goes through `tail`, so the panel's end is
            // never overrun.
            int whole = k + SK_QBLOCK <= kc;
            float *dst = whole ? panel + k * NR + 8 * h : tail;
            __m256 d = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)gb));
            if (q4) {
                const __m256i low = _mm256_set1_epi8(15), eight = _mm256_set1_epi8(8);
                for (int c = 0; c < 4; c++) {
                    __m256i raw = _mm256_loadu_si256((const __m256i *)(gb + 16 + 32 * c));
                    unpack_chunk(_mm256_sub_epi8(_mm256_and_si256(raw, low), eight), d, dst + 4 * c * NR);
                    unpack_chunk(_mm256_sub_epi8(_mm256_and_si256(_mm256_srli_epi16(raw, 4), low), eight), d,
                                 dst + (16 + 4 * c) * NR);
                }
            } else {
                for (int c = 0; c < 8; c++)
                    unpack_chunk(_mm256_loadu_si256((const __m256i *)(gb + 16 + 32 * c)), d, dst + 4 * c * NR);
            }
            if (!whole)
                for (size_t i = 0; i < kc - k; i++)
                    _mm256_store_ps(panel + (k + i) * NR + 8 * h, _mm256_load_ps(tail + i * NR));
        }
    }
}

SK_TARGET_AVX2 static void pack(int format, const void *w, size_t cols, size_t row, size_t nr, size_t k0,
                                size_t kc, float *panel, float *rows_f32) {
    switch (format) {
    case SK_GEMM_BF16:
    case SK_GEMM_F16: pack_16bit(format, w, cols, row, nr, k0, kc, panel); return;
    case SK_GEMM_F32: pack_f32((const float *)w + row * cols + k0, cols, nr, kc, panel); return;
    default:
        if (row % SK_QROWS == 0) {
            pack_quantized(format == SK_GEMM_Q4, w, cols, row, nr, k0, kc, panel);
            return;
        }
        // A range that starts inside a group: dequantize the rows' chunks, transpose like float32.
        for (size_t i = 0; i < nr; i++) sk_gemm_row_chunk_f32(format, w, row + i, cols, k0, kc, rows_f32 + i * kc);
        pack_f32(rows_f32, kc, nr, kc, panel);
    }
}

// ---- micro-kernel: mt tokens x 16 rows over kc columns -------------------------------------------------

/// Stores (or adds, when accumulate) one token's 16 results; nr < 16 rows go through a small buffer.
SK_TARGET_AVX2 static inline void store_row(float *yt, __m256 lo, __m256 hi, size_t nr, int accumulate) {
    if (nr == NR) {
        if (accumulate) {
            lo = _mm256_add_ps(lo, _mm256_loadu_ps(yt));
            hi = _mm256_add_ps(hi, _mm256_loadu_ps(yt + 8));
        }
        _mm256_storeu_ps(yt, lo);
        _mm256_storeu_ps(yt + 8, hi);
        return;
    }
    float out[NR] __attribute__((aligned(32)));
    _mm256_store_ps(out, lo);
    _mm256_store_ps(out + 8, hi);
    for (size_t i = 0; i < nr; i++) yt[i] = accumulate ? yt[i] + out[i] : out[i];
}

/// y[t * ldy + i] (=, or += when accumulate) sum_k panel[k * 16 + i] * x[t * ldx + k] for t < mt and
/// i < nr. Inlined with a constant mt; named accumulators (not an array) so every compiler keeps them in
/// registers.
#define FMA_TOKEN(T)                                                                               \
    if (mt > T) {                                                                                  \
        __m256 xv = _mm256_broadcast_ss(x + T * ldx + k);                                          \
        c##T##0 = _mm256_fmadd_ps(w0, xv, c##T##0);                                                \
        c##T##1 = _mm256_fmadd_ps(w1, xv, c##T##1);                                                \
    }
SK_TARGET_AVX2 static inline __attribute__((always_inline)) void
tile(const int mt, size_t kc, const float *x, size_t ldx, const float *panel, float *y, size_t ldy, size_t nr,
     int accumulate) {
    __m256 c00 = _mm256_setzero_ps(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
    __m256 c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
    for (size_t k = 0; k < kc; k++) {
        __m256 w0 = _mm256_load_ps(panel + k * NR), w1 = _mm256_load_ps(panel + k * NR + 8);
        FMA_TOKEN(0) FMA_TOKEN(1) FMA_TOKEN(2) FMA_TOKEN(3) FMA_TOKEN(4) FMA_TOKEN(5)
    }
    store_row(y, c00, c01, nr, accumulate);
    if (mt > 1) store_row(y + ldy, c10, c11, nr, accumulate);
    if (mt > 2) store_row(y + 2 * ldy, c20, c21, nr, accumulate);
    if (mt > 3) store_row(y + 3 * ldy, c30, c31, nr, accumulate);
    if (mt > 4) store_row(y + 4 * ldy, c40, c41, nr, accumulate);
    if (mt > 5) store_row(y + 5 * ldy, c50, c51, nr, accumulate);
}
#undef FMA_TOKEN

SK_TARGET_AVX2 static void tile_any(size_t mt, size_t kc, const float *x, size_t ldx, const float *panel,
                                    float *y, size_t ldy, size_t nr, int accumulate) {
    switch (mt) {
    case 6: tile(6, kc, x, ldx, panel, y, ldy, nr, accumulate); return;
    case 5: tile(5, kc, x, ldx, panel, y, ldy, nr, accumulate); return;
    case 4: tile(4, kc, x, ldx, panel, y, ldy, nr, accumulate); return;
    case 3: tile(3, kc, x, ldx, panel, y, ldy, nr, accumulate); return;
    case 2: tile(2, kc, x, ldx, panel, y, ldy, nr, accumulate); return;
    default: tile(1, kc, x, ldx, panel, y, ldy, nr, accumulate); return;
    }
}

SK_TARGET_AVX2 void sk_gemm_driver(int format, sk_gemm_tile_fn tile, size_t max_tile, const void *w, const float *x,
                                   float *y, size_t n, size_t r0, size_t r1, size_t cols, size_t ldy) {
    float packed[ROW_BLOCK * SK_GEMM_KC] __attribute__((aligned(64)));
    float rows_f32[NR * SK_GEMM_KC] __attribute__((aligned(64)));  // quantized ranges not on a group boundary
    if (cols == 0) {
        for (size_t t = 0; t < n; t++)
            for (size_t r = r0; r < r1; r++) y[t * ldy + r] = 0;
        return;
    }
    size_t token_blocks = (n + max_tile - 1) / max_tile;
    for (size_t rb = r0; rb < r1; rb += ROW_BLOCK) {
        size_t nrows = r1 - rb < ROW_BLOCK ? r1 - rb : ROW_BLOCK;
        size_t panels = (nrows + NR - 1) / NR;
        for (size_t k0 = 0; k0 < cols; k0 += SK_GEMM_KC) {
            size_t kc = cols - k0 < SK_GEMM_KC ? cols - k0 : SK_GEMM_KC;
            for (size_t p = 0; p < panels; p++) {
                size_t nr = nrows - p * NR < NR ? nrows - p * NR : NR;
                pack(format, w, cols, rb + p * NR, nr, k0, kc, packed + p * NR * kc, rows_f32);
            }
            // Equal token blocks (7 tokens: 4 + 3, not 6 + 1): a block of one or two tokens has too few
            // accumulators to hide the FMA latency.
            for (size_t b = 0; b < token_blocks; b++) {
                size_t t0 = n * b / token_blocks, mt = n * (b + 1) / token_blocks - t0;
                for (size_t p = 0; p < panels; p++) {
                    size_t nr = nrows - p * NR < NR ? nrows - p * NR : NR;
                    tile(mt, kc, x + t0 * cols + k0, cols, packed + p * NR * kc, y + t0 * ldy + rb + p * NR,
                         ldy, nr, k0 > 0);
                }
            }
        }
    }
}

SK_TARGET_AVX2 void sk_avx2_matmul(int format, const void *w, const float *x, float *y, size_t n, size_t r0,
                                   size_t r1, size_t cols, size_t ldy) {
    sk_gemm_driver(format, tile_any, MR, w, x, y, n, r0, r1, cols, ldy);
}
#endif
