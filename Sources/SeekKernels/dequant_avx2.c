// AVX2 expansion of whole q8 / q4 blocks to float32 (prefill converts weight blocks before sgemm).
#include "sk_internal.h"
#include <immintrin.h>

SK_TARGET_AVX2 static inline void store_scaled(const __m128i q8x8, __m256 d, float *out) {
    _mm256_storeu_ps(out, _mm256_mul_ps(d, _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(q8x8))));
}

SK_TARGET_AVX2 void sk_avx2_dequantize_q8_block(const uint8_t *block, float *out) {
    uint16_t dh;
    memcpy(&dh, block, 2);
    __m256 d = _mm256_set1_ps(sk_f16_bits_to_f32(dh));
    __m128i a = _mm_loadu_si128((const __m128i *)(block + 2));
    __m128i b = _mm_loadu_si128((const __m128i *)(block + 18));
    store_scaled(a, d, out);
    store_scaled(_mm_srli_si128(a, 8), d, out + 8);
    store_scaled(b, d, out + 16);
    store_scaled(_mm_srli_si128(b, 8), d, out + 24);
}

SK_TARGET_AVX2 void sk_avx2_dequantize_q4_block(const uint8_t *block, float *out) {
    uint16_t dh;
    memcpy(&dh, block, 2);
    __m256 d = _mm256_set1_ps(sk_f16_bits_to_f32(dh));
    __m128i bytes = _mm_loadu_si128((const __m128i *)(block + 2));
    __m128i mask = _mm_set1_epi8(15), eight = _mm_set1_epi8(8);
    __m128i lo = _mm_sub_epi8(_mm_and_si128(bytes, mask), eight);                   // values 0..15
    __m128i hi = _mm_sub_epi8(_mm_and_si128(_mm_srli_epi16(bytes, 4), mask), eight); // values 16..31
    store_scaled(lo, d, out);
    store_scaled(_mm_srli_si128(lo, 8), d, out + 8);
    store_scaled(hi, d, out + 16);
    store_scaled(_mm_srli_si128(hi, 8), d, out + 24);
}
