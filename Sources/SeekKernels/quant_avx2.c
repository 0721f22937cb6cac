// AVX2 quantized row kernels: signed int8 products via vpmaddubsw (|w| times x with w's sign moved onto x)
// and vpmaddwd, as llama.cpp does. Saturation cannot happen: |w| <= 128 and |x| <= 127.
#if defined(__x86_64__)
#include "sk_internal.h"
#include <immintrin.h>

#define QR_TARGET SK_TARGET_AVX2
#define QR_HSUM avx2_qr_hsum
#define QR_SCALE avx2_qr_scale
#define QR_NIBBLES avx2_qr_nibbles
#define QR_Q8_ROWS sk_avx2_q8_rows
#define QR_Q4_ROWS sk_avx2_q4_rows

SK_TARGET_AVX2 static inline __m256i avx2_dot_s8(__m256i w, __m256i x) {
    __m256i p16 = _mm256_maddubs_epi16(_mm256_sign_epi8(w, w), _mm256_sign_epi8(x, w));
    return _mm256_madd_epi16(p16, _mm256_set1_epi16(1));
}
SK_TARGET_AVX2 static inline __m256i avx2_dot_u8(__m256i q, __m256i x) {
    return _mm256_madd_epi16(_mm256_maddubs_epi16(q, x), _mm256_set1_epi16(1));
}
#define DOT_Q8(w, x) avx2_dot_s8(w, x)
#define DOT_Q4(q, x, c) _mm256_sub_epi32(avx2_dot_u8(q, x), c)
#define Q4_CORR(x) avx2_dot_u8(_mm256_set1_epi8(8), x)

// Zen 1 keeps too few weight loads in flight behind this loop's integer work: asking for each row's
// data 384 bytes ahead raised q8 decoding from ~17 to ~20 tokens/s (q4 ~20 to ~22) on the benchmark model.
#define QR_PREFETCH_DISTANCE 384
#include "quant_rows.h"

// The same integers and scales as sk_quantize_activation_block: max |x|, then round(x * (127 / amax))
// with the default round-to-nearest-even mode, which is what rintf does.
SK_TARGET_AVX2 void sk_avx2_quantize_activation(const float *x, size_t cols, sk_qact *out) {
    const __m256 sign = _mm256_set1_ps(-0.0f);
    const __m256i lo = _mm256_set1_epi32(-127), hi = _mm256_set1_epi32(127);
    const __m256i order = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7);
    size_t full = cols / SK_QBLOCK;
    for (size_t b = 0; b < full; b++) {
        const float *v = x + b * SK_QBLOCK;
        __m256 v0 = _mm256_loadu_ps(v), v1 = _mm256_loadu_ps(v + 8);
        __m256 v2 = _mm256_loadu_ps(v + 16), v3 = _mm256_loadu_ps(v + 24);
        __m256 m = _mm256_max_ps(_mm256_max_ps(_mm256_andnot_ps(sign, v0), _mm256_andnot_ps(sign, v1)),
                                 _mm256_max_ps(_mm256_andnot_ps(sign, v2), _mm256_andnot_ps(sign, v3)));
        __m128 m4 = _mm_max_ps(_mm256_castps256_ps128(m), _mm256_extractf128_ps(m, 1));
        m4 = _mm_max_ps(m4, _mm_movehl_ps(m4, m4));
        m4 = _mm_max_ss(m4, _mm_movehdup_ps(m4));
        float amax = _mm_cvtss_f32(m4);
        __m256 inv = _mm256_set1_ps(amax > 0 ? 127.0f / amax : 0);
#define Q32(V) _mm256_min_epi32(hi, _mm256_max_epi32(lo, _mm256_cvtps_epi32(_mm256_mul_ps(V, inv))))
        __m256i p01 = _mm256_packs_epi32(Q32(v0), Q32(v1)), p23 = _mm256_packs_epi32(Q32(v2), Q32(v3));
#undef Q32
        __m256i q = _mm256_permutevar8x32_epi32(_mm256_packs_epi16(p01, p23), order);
        _mm256_storeu_si256((__m256i *)(out->q + b * SK_QBLOCK), q);
        out->scale[b] = amax / 127.0f;
    }
    if (full * SK_QBLOCK < cols)
        sk_quantize_activation_block(x + full * SK_QBLOCK, cols - full * SK_QBLOCK, out->q + full * SK_QBLOCK,
                                     &out->scale[full]);
}
#endif
