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
#endif
