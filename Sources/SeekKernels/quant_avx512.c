// AVX-512 VNNI quantized matrix-vector kernels on the 8-row interleaved layout: vpdpbusd (unsigned x
// signed bytes, summed into int32) on 256-bit vectors, one instruction per 32 bytes of weights.
#if defined(__x86_64__)
#include "sk_internal.h"
#include <immintrin.h>

#define QR_TARGET SK_TARGET_AVX512
#define QR_Q8_ROWS sk_avx512_q8_rows
#define QR_Q4_ROWS sk_avx512_q4_rows

SK_TARGET_AVX512 static inline __m256i avx512_q8_block(const uint8_t *gb, const int32_t *xq) {
    __m256i sum = _mm256_setzero_si256();
    for (int k = 0; k < 8; k++) {
        __m256i wv = _mm256_loadu_si256((const __m256i *)(gb + 16 + 32 * k));
        sum = _mm256_dpbusd_epi32(sum, _mm256_abs_epi8(wv), _mm256_sign_epi8(_mm256_set1_epi32(xq[k]), wv));
    }
    return sum;
}

SK_TARGET_AVX512 static inline __m256i avx512_q4_block(const uint8_t *gb, const int32_t *xq) {
    const __m256i low = _mm256_set1_epi8(15);
    __m256i sum = _mm256_setzero_si256();
    for (int k = 0; k < 4; k++) {
        __m256i raw = _mm256_loadu_si256((const __m256i *)(gb + 16 + 32 * k));
        sum = _mm256_dpbusd_epi32(sum, _mm256_and_si256(raw, low), _mm256_set1_epi32(xq[k]));
        sum = _mm256_dpbusd_epi32(sum, _mm256_and_si256(_mm256_srli_epi16(raw, 4), low), _mm256_set1_epi32(xq[k + 4]));
    }
    return sum;
}
#define QR_Q8_BLOCK avx512_q8_block
#define QR_Q4_BLOCK avx512_q4_block
#include "quant_rows.h"

// Several tokens: the group-block as unsigned bytes once (q8: w + 128, one xor; q4: the nibbles, w + 8),
// vector k paired with the token's bytes 4k..4k+3 (q4: low nibbles are columns 4k.., high ones 16 + 4k..),
// then one vpdpbusd per vector and token, in two chains.
typedef struct {
    __m256i u[8];
} vnni_weights;

SK_TARGET_AVX512 static inline void avx512_load_weights(const uint8_t *gb, int q4, vnni_weights *wt) {
    if (q4) {
        const __m256i low = _mm256_set1_epi8(15);
        for (int k = 0; k < 4; k++) {
            __m256i raw = _mm256_loadu_si256((const __m256i *)(gb + 16 + 32 * k));
            wt->u[k] = _mm256_and_si256(raw, low);
            wt->u[k + 4] = _mm256_and_si256(_mm256_srli_epi16(raw, 4), low);
        }
    } else {
        const __m256i flip = _mm256_set1_epi8((char)0x80);
        for (int k = 0; k < 8; k++) wt->u[k] = _mm256_xor_si256(_mm256_loadu_si256((const __m256i *)(gb + 16 + 32 * k)), flip);
    }
}

SK_TARGET_AVX512 static inline __m256i avx512_weights_dot(const vnni_weights *wt, int q4, const int32_t *xq) {
    (void)q4;
    __m256i s0 = _mm256_setzero_si256(), s1 = _mm256_setzero_si256();
    for (int k = 0; k < 8; k += 2) {
        s0 = _mm256_dpbusd_epi32(s0, wt->u[k], _mm256_set1_epi32(xq[k]));
        s1 = _mm256_dpbusd_epi32(s1, wt->u[k + 1], _mm256_set1_epi32(xq[k + 1]));
    }
    return _mm256_add_epi32(s0, s1);
}
#define QT_TARGET SK_TARGET_AVX512
#define QT_WEIGHTS vnni_weights
#define QT_LOAD avx512_load_weights
#define QT_DOT avx512_weights_dot
#define QT_Q8_OFFSET 128
#if defined(SK_VNNI_EMULATION)  // Tests/VNNIEmulation: 256-bit vectors only (built for AVX2)
#define QT_Q8_ROWS sk_avx512_q8_token_rows
#define QT_Q4_ROWS sk_avx512_q4_token_rows
#include "quant_token_rows.h"
#else
#define QT_Q8_ROWS avx512_q8_token_rows_ymm
#define QT_Q4_ROWS avx512_q4_token_rows_ymm
#define QT_LINKAGE static
#include "quant_token_rows.h"

// Two 8-row groups at once in 512-bit vectors: on Intel cores with two 512-bit integer multiply-add
// ports (Sapphire Rapids: vpdpbusd zmm at 2 per cycle, as ymm), each instruction does twice the work, so
// several tokens stay below the memory's rate. The lower half holds group g, the upper half group g + 1;
// per row the integers and float operations are the 256-bit kernel's, so the results are the same bits.
SK_TARGET_AVX512 static inline __attribute__((always_inline)) __m512i pair_load(const uint8_t *a, const uint8_t *b) {
    return _mm512_inserti64x4(_mm512_castsi256_si512(_mm256_loadu_si256((const __m256i *)a)),
                              _mm256_loadu_si256((const __m256i *)b), 1);
}

SK_TARGET_AVX512 static inline __attribute__((always_inline)) void
pair_rows(const int nt, const int q4, const uint8_t *w, size_t group_bytes, const sk_qact_tokens *x, float *y,
          size_t ldy, size_t g_first, size_t pairs, size_t r0, size_t r1, int accumulate) {
    const size_t gbytes = SK_QROWS * (q4 ? SK_Q4_BLOCK_BYTES : SK_Q8_BLOCK_BYTES);
    const int32_t offset = q4 ? 8 : 128;
    const size_t nb = x->nblocks;
    for (size_t p = 0; p < pairs; p++) {
        size_t g = g_first + 2 * p;
        const uint8_t *ga = w + g * group_bytes, *gb = ga + group_bytes;
        __m512 acc[SK_TOKENS_MAX];
        for (int t = 0; t < nt; t++) acc[t] = _mm512_setzero_ps();
        for (size_t b = 0; b < nb; b++, ga += gbytes, gb += gbytes) {
            for (size_t line = 0; line < gbytes; line += 64) {
                _mm_prefetch((const char *)ga + QR_PREFETCH_DISTANCE + line, _MM_HINT_T0);
                _mm_prefetch((const char *)gb + QR_PREFETCH_DISTANCE + line, _MM_HINT_T0);
            }
            __m512i u[8];
            if (q4) {
                const __m512i low = _mm512_set1_epi8(15);
                for (int k = 0; k < 4; k++) {
                    __m512i raw = pair_load(ga + 16 + 32 * k, gb + 16 + 32 * k);
                    u[k] = _mm512_and_si512(raw, low);
                    u[k + 4] = _mm512_and_si512(_mm512_srli_epi16(raw, 4), low);
                }
            } else {
                const __m512i flip = _mm512_set1_epi8((char)0x80);
                for (int k = 0; k < 8; k++) u[k] = _mm512_xor_si512(pair_load(ga + 16 + 32 * k, gb + 16 + 32 * k), flip);
            }
            __m256i scales = _mm256_inserti128_si256(_mm256_castsi128_si256(_mm_loadu_si128((const __m128i *)ga)),
                                                     _mm_loadu_si128((const __m128i *)gb), 1);
            __m512 dw = _mm512_cvtph_ps(scales);
            for (int t = 0; t < nt; t++) {
                const int32_t *xq = (const int32_t *)(x->q[t] + b * SK_QBLOCK);
                __m512i s0 = _mm512_setzero_si512(), s1 = _mm512_setzero_si512();
                for (int k = 0; k < 8; k += 2) {
                    s0 = _mm512_dpbusd_epi32(s0, u[k], _mm512_set1_epi32(xq[k]));
                    s1 = _mm512_dpbusd_epi32(s1, u[k + 1], _mm512_set1_epi32(xq[k + 1]));
                }
                __m512i dot = _mm512_sub_epi32(_mm512_add_epi32(s0, s1), _mm512_set1_epi32(offset * x->sum[t][b]));
                __m512 d = _mm512_mul_ps(dw, _mm512_set1_ps(x->scale[t][b]));
                acc[t] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(dot), d, acc[t]);
            }
        }
        size_t first = g * SK_QROWS;
        for (int t = 0; t < nt; t++) {
            float *yt = y + t * ldy;
            if (first >= r0 && first + 2 * SK_QROWS <= r1) {
                __m512 v = accumulate ? _mm512_add_ps(acc[t], _mm512_loadu_ps(yt + first)) : acc[t];
                _mm512_storeu_ps(yt + first, v);
            } else {  // the range starts inside the first group or ends inside the second
                float out[2 * SK_QROWS];
                _mm512_storeu_ps(out, acc[t]);
                for (size_t j = 0; j < 2 * SK_QROWS; j++)
                    if (first + j >= r0 && first + j < r1) yt[first + j] = accumulate ? yt[first + j] + out[j] : out[j];
            }
        }
    }
}

#define PAIR_CASES(Q4)                                                                                 \
    switch (n) {                                                                                       \
    case 1: pair_rows(1, Q4, w, group_bytes, x, y, ldy, g, pairs, r0, r1, accumulate); break;           \
    case 2: pair_rows(2, Q4, w, group_bytes, x, y, ldy, g, pairs, r0, r1, accumulate); break;           \
    case 3: pair_rows(3, Q4, w, group_bytes, x, y, ldy, g, pairs, r0, r1, accumulate); break;           \
    case 4: pair_rows(4, Q4, w, group_bytes, x, y, ldy, g, pairs, r0, r1, accumulate); break;           \
    case 5: pair_rows(5, Q4, w, group_bytes, x, y, ldy, g, pairs, r0, r1, accumulate); break;           \
    case 6: pair_rows(6, Q4, w, group_bytes, x, y, ldy, g, pairs, r0, r1, accumulate); break;           \
    case 7: pair_rows(7, Q4, w, group_bytes, x, y, ldy, g, pairs, r0, r1, accumulate); break;           \
    default: pair_rows(8, Q4, w, group_bytes, x, y, ldy, g, pairs, r0, r1, accumulate); break;          \
    }

/// Pairs of groups in 512-bit vectors, then a last odd group with the 256-bit kernel.
#define PAIR_ROWS(Q4, YMM_ROWS)                                                                        \
    size_t g = r0 / SK_QROWS, groups = (r1 + SK_QROWS - 1) / SK_QROWS - g, pairs = groups / 2;          \
    if (pairs > 0) PAIR_CASES(Q4)                                                                      \
    if (groups % 2 != 0) {                                                                             \
        size_t last = (g + 2 * pairs) * SK_QROWS;                                                      \
        YMM_ROWS(w, group_bytes, x, n, y, ldy, last > r0 ? last : r0, r1, accumulate);                  \
    }

SK_TARGET_AVX512 void sk_avx512_q8_token_rows(const uint8_t *w, size_t group_bytes, const sk_qact_tokens *x, size_t n,
                                              float *y, size_t ldy, size_t r0, size_t r1, int accumulate) {
    PAIR_ROWS(0, avx512_q8_token_rows_ymm)
}

SK_TARGET_AVX512 void sk_avx512_q4_token_rows(const uint8_t *w, size_t group_bytes, const sk_qact_tokens *x, size_t n,
                                              float *y, size_t ldy, size_t r0, size_t r1, int accumulate) {
    PAIR_ROWS(1, avx512_q4_token_rows_ymm)
}
#undef PAIR_ROWS
#undef PAIR_CASES
#endif
#endif
