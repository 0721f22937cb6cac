// AVX-512 VNNI batched product of q8 / q4 weights with int8 tokens: vpdpbusd (unsigned weight bytes x
// signed token bytes, four products summed into each int32 lane). The panel bytes are w + 128 (q8) or the
// nibbles (q4, w + 8), so the offset comes off once per block as offset * sum(x).
//
// The tile is 16 rows (a whole panel chunk, one 512-bit vector) x up to 12 tokens: Intel cores with two
// 512-bit multiply-add ports (Sapphire/Emerald Rapids) run vpdpbusd zmm at the ymm rate, twice the
// multiply-adds, and Zen 4 runs one zmm as two ymm halves, so nothing is lost there. Each lane does
// the 256-bit tile's integer and float operations in the same order, so both give the same bits: the
// 256-bit tile is kept for Tests/VNNIEmulation, which builds this file for AVX2 (no 512-bit registers)
// to check the shared packing and driver on CPUs without VNNI, and tests compare the two tiles.
#if defined(__x86_64__)
#include "sk_internal.h"
#include <immintrin.h>

#if defined(SK_VNNI_EMULATION)
enum { VNNI_TILE = 6 };

SK_TARGET_AVX512 static inline __attribute__((always_inline)) void
vnni_tile(const int mt, const int q4, const uint8_t *panel, size_t nbk, const int8_t *xq, const float *xd,
          const int32_t *xs, size_t nb, float *y, size_t ldy, size_t lo, size_t hi, int accumulate) {
    const int offset_scale = q4 ? 8 : 128;  // the panel bytes' offset
    __m256 acc[VNNI_TILE][2];
    for (int t = 0; t < VNNI_TILE; t++) acc[t][0] = acc[t][1] = _mm256_setzero_ps();
    for (size_t b = 0; b < nbk; b++) {
        const uint8_t *pb = panel + b * SK_QPANEL_BLOCK_BYTES;
        __m256i isum[VNNI_TILE][2];
        for (int t = 0; t < VNNI_TILE; t++) isum[t][0] = isum[t][1] = _mm256_setzero_si256();
        for (int k = 0; k < 8; k++) {
            __m256i w0 = _mm256_load_si256((const __m256i *)(pb + 64 + 64 * k));
            __m256i w1 = _mm256_load_si256((const __m256i *)(pb + 64 + 64 * k + 32));
            for (int t = 0; t < mt; t++) {
                __m256i xv = _mm256_set1_epi32(*(const int32_t *)(xq + (t * nb + b) * SK_QBLOCK + 4 * k));
                isum[t][0] = _mm256_dpbusd_epi32(isum[t][0], w0, xv);
                isum[t][1] = _mm256_dpbusd_epi32(isum[t][1], w1, xv);
            }
        }
        __m256 dw0 = _mm256_load_ps((const float *)pb), dw1 = _mm256_load_ps((const float *)pb + 8);
        for (int t = 0; t < mt; t++) {
            __m256i offset = _mm256_set1_epi32(xs[t * nb + b] * offset_scale);
            __m256 dx = _mm256_set1_ps(xd[t * nb + b]);
            acc[t][0] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(_mm256_sub_epi32(isum[t][0], offset)),
                                        _mm256_mul_ps(dw0, dx), acc[t][0]);
            acc[t][1] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(_mm256_sub_epi32(isum[t][1], offset)),
                                        _mm256_mul_ps(dw1, dx), acc[t][1]);
        }
    }
    for (int t = 0; t < mt; t++) {
        float *yt = y + t * ldy;
        if (lo == 0 && hi == SK_QPANEL_ROWS) {
            __m256 a = acc[t][0], c = acc[t][1];
            if (accumulate) {
                a = _mm256_add_ps(a, _mm256_loadu_ps(yt));
                c = _mm256_add_ps(c, _mm256_loadu_ps(yt + 8));
            }
            _mm256_storeu_ps(yt, a);
            _mm256_storeu_ps(yt + 8, c);
        } else {
            float out[SK_QPANEL_ROWS] __attribute__((aligned(32)));
            _mm256_store_ps(out, acc[t][0]);
            _mm256_store_ps(out + 8, acc[t][1]);
            for (size_t i = lo; i < hi; i++) yt[i] = accumulate ? yt[i] + out[i] : out[i];
        }
    }
}

SK_TARGET_AVX512 static void vnni_tile_any(size_t mt, int q4, const uint8_t *panel, size_t nbk, const int8_t *xq,
                                           const float *xd, const int32_t *xs, size_t nb, float *y, size_t ldy,
                                           size_t lo, size_t hi, int accumulate) {
#define VNNI_TILE_CASES(Q4)                                                                              \
    switch (mt) {                                                                                    \
    case 6: vnni_tile(6, Q4, panel, nbk, xq, xd, xs, nb, y, ldy, lo, hi, accumulate); return;        \
    case 5: vnni_tile(5, Q4, panel, nbk, xq, xd, xs, nb, y, ldy, lo, hi, accumulate); return;        \
    case 4: vnni_tile(4, Q4, panel, nbk, xq, xd, xs, nb, y, ldy, lo, hi, accumulate); return;        \
    case 3: vnni_tile(3, Q4, panel, nbk, xq, xd, xs, nb, y, ldy, lo, hi, accumulate); return;        \
    case 2: vnni_tile(2, Q4, panel, nbk, xq, xd, xs, nb, y, ldy, lo, hi, accumulate); return;        \
    default: vnni_tile(1, Q4, panel, nbk, xq, xd, xs, nb, y, ldy, lo, hi, accumulate); return;       \
    }
    if (q4) VNNI_TILE_CASES(1) else VNNI_TILE_CASES(0)
#undef VNNI_TILE_CASES
}

#else
enum { ZMM_TILE = 12 };

SK_TARGET_AVX512 static inline __attribute__((always_inline)) void
zmm_tile(const int mt, const int q4, const uint8_t *panel, size_t nbk, const int8_t *xq, const float *xd,
         const int32_t *xs, size_t nb, float *y, size_t ldy, size_t lo, size_t hi, int accumulate) {
    const int offset_scale = q4 ? 8 : 128;  // the panel bytes' offset
    __m512 acc[ZMM_TILE];
    for (int t = 0; t < ZMM_TILE; t++) acc[t] = _mm512_setzero_ps();
    for (size_t b = 0; b < nbk; b++) {
        const uint8_t *pb = panel + b * SK_QPANEL_BLOCK_BYTES;
        // Each sum starts at -offset * sum(x), so the offset comes off without an instruction.
        __m512i isum[ZMM_TILE];
        for (int t = 0; t < mt; t++) isum[t] = _mm512_set1_epi32(-xs[t * nb + b] * offset_scale);
        for (int k = 0; k < 8; k++) {
            __m512i w = _mm512_load_si512((const void *)(pb + 64 + 64 * k));
            for (int t = 0; t < mt; t++) {
                __m512i xv = _mm512_set1_epi32(*(const int32_t *)(xq + (t * nb + b) * SK_QBLOCK + 4 * k));
                isum[t] = _mm512_dpbusd_epi32(isum[t], w, xv);
            }
        }
        __m512 dw = _mm512_load_ps((const float *)pb);
        for (int t = 0; t < mt; t++)
            acc[t] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(isum[t]), _mm512_mul_ps(dw, _mm512_set1_ps(xd[t * nb + b])), acc[t]);
    }
    for (int t = 0; t < mt; t++) sk_store_panel_row(y + t * ldy, acc[t], lo, hi, accumulate);
}

SK_TARGET_AVX512 static void zmm_tile_any(size_t mt, int q4, const uint8_t *panel, size_t nbk, const int8_t *xq,
                                          const float *xd, const int32_t *xs, size_t nb, float *y, size_t ldy,
                                          size_t lo, size_t hi, int accumulate) {
#define ZMM_CASE(N, Q4) case N: zmm_tile(N, Q4, panel, nbk, xq, xd, xs, nb, y, ldy, lo, hi, accumulate); return;
#define ZMM_TILE_CASES(Q4)                                                                              \
    switch (mt) {                                                                                    \
    ZMM_CASE(12, Q4) ZMM_CASE(11, Q4) ZMM_CASE(10, Q4) ZMM_CASE(9, Q4) ZMM_CASE(8, Q4) ZMM_CASE(7, Q4) \
    ZMM_CASE(6, Q4) ZMM_CASE(5, Q4) ZMM_CASE(4, Q4) ZMM_CASE(3, Q4) ZMM_CASE(2, Q4)                   \
    default: zmm_tile(1, Q4, panel, nbk, xq, xd, xs, nb, y, ldy, lo, hi, accumulate); return;        \
    }
    if (q4) ZMM_TILE_CASES(1) else ZMM_TILE_CASES(0)
#undef ZMM_TILE_CASES
#undef ZMM_CASE
}
#endif

void sk_avx512_matmul_int8(int q4, const void *w, const sk_qtokens *x, float *y, size_t n, size_t r0, size_t r1,
                           size_t ldy) {
#if defined(SK_VNNI_EMULATION)
    sk_int8_matmul_driver(q4, SK_PANEL_UNSIGNED, vnni_tile_any, VNNI_TILE, w, x, y, n, r0, r1, ldy);
#else
    sk_int8_matmul_driver(q4, SK_PANEL_UNSIGNED, zmm_tile_any, ZMM_TILE, w, x, y, n, r0, r1, ldy);
#endif
}
#endif
