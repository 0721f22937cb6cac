// Element conversions between the stored dtypes and float32. bf16 -> f32 is a shift (the compiler
// vectorises it); f16 -> f32 uses the hardware conversion (vcvtph2ps) when the CPU has it.
#include "sk_internal.h"
#if defined(__x86_64__)
#include <immintrin.h>
#endif

void sk_bf16_to_f32(const uint16_t *src, float *dst, size_t n) {
    for (size_t i = 0; i < n; i++) dst[i] = sk_bf16_bits_to_f32(src[i]);
}

static void portable_f16_to_f32(const uint16_t *src, float *dst, size_t n) {
    for (size_t i = 0; i < n; i++) dst[i] = sk_f16_bits_to_f32(src[i]);
}

#if defined(__x86_64__)
SK_TARGET_AVX2 void sk_avx2_f16_to_f32(const uint16_t *src, float *dst, size_t n) {
    size_t i = 0;
    for (; i + 8 <= n; i += 8)
        _mm256_storeu_ps(dst + i, _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(src + i))));
    for (; i < n; i++) dst[i] = _cvtsh_ss(src[i]);
}

SK_TARGET_AVX512 void sk_avx512_f16_to_f32(const uint16_t *src, float *dst, size_t n) {
    size_t i = 0;
    for (; i + 16 <= n; i += 16)
        _mm512_storeu_ps(dst + i, _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)(src + i))));
    for (; i < n; i++) dst[i] = _cvtsh_ss(src[i]);
}
#endif

void sk_f16_to_f32(const uint16_t *src, float *dst, size_t n) {
#if defined(__x86_64__)
    switch (sk_level()) {
    case SK_SIMD_AVX512: sk_avx512_f16_to_f32(src, dst, n); return;
    case SK_SIMD_AVX2: sk_avx2_f16_to_f32(src, dst, n); return;
    }
#endif
    portable_f16_to_f32(src, dst, n);
}

void sk_f32_to_bf16(const float *src, uint16_t *dst, size_t n) {
    for (size_t i = 0; i < n; i++) {
        uint32_t bits;
        memcpy(&bits, &src[i], 4);
        if ((bits & 0x7fffffffu) > 0x7f800000u) { dst[i] = (uint16_t)((bits >> 16) | 0x40); continue; } // NaN
        uint32_t rounding = 0x7fffu + ((bits >> 16) & 1u);
        dst[i] = (uint16_t)((bits + rounding) >> 16);
    }
}
