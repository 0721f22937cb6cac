// AVX2 quantized matrix-vector kernels on the 8-row interleaved layout: int8 products via vpmaddubsw
// (|w| times x with w's sign moved onto x, as llama.cpp does; no saturation since |w|, |x| <= 127) and
// vpmaddwd. About 2x (q8) and 3x (q4) the speed of one row at a time on Zen 1, where only one pipe
// does integer multiplies and per-row scale and sum work dominated.
#if defined(__x86_64__)
#include "sk_internal.h"
#include <immintrin.h>

#define QR_TARGET SK_TARGET_AVX2
#define QR_Q8_ROWS sk_avx2_q8_rows
#define QR_Q4_ROWS sk_avx2_q4_rows

// q8: 8 loads of 32 bytes (4 columns of each of the 8 rows), each against x's matching 4 bytes
// broadcast to every row; the sign trick makes vpmaddubsw's unsigned operand |w|. One vpmaddwd per
// load: two vpmaddubsw results (up to 2 * 127 * 127 each) could overflow int16.
SK_TARGET_AVX2 static inline __m256i avx2_q8_block(const uint8_t *gb, const int32_t *xq) {
    const __m256i ones = _mm256_set1_epi16(1);
    __m256i sum = _mm256_setzero_si256();
    for (int k = 0; k < 8; k++) {
        __m256i wv = _mm256_loadu_si256((const __m256i *)(gb + 16 + 32 * k));
        __m256i xv = _mm256_set1_epi32(xq[k]);
        __m256i p16 = _mm256_maddubs_epi16(_mm256_sign_epi8(wv, wv), _mm256_sign_epi8(xv, wv));
        sum = _mm256_add_epi32(sum, _mm256_madd_epi16(p16, ones));
    }
    return sum;
}

// q4: 4 loads, each giving columns 4k..4k+3 (low nibbles) and 16+4k.. (high nibbles) of the 8 rows.
// Nibble products are at most 2 * 15 * 127 per int16 lane, so all 8 vpmaddubsw results add in int16
// (<= 30480) and a single vpmaddwd widens them: half the multiplies of q8 per weight.
SK_TARGET_AVX2 static inline __m256i avx2_q4_block(const uint8_t *gb, const int32_t *xq) {
    const __m256i ones = _mm256_set1_epi16(1), low = _mm256_set1_epi8(15);
    __m256i s16 = _mm256_setzero_si256();
    for (int k = 0; k < 4; k++) {
        __m256i raw = _mm256_loadu_si256((const __m256i *)(gb + 16 + 32 * k));
        __m256i lo = _mm256_and_si256(raw, low), hi = _mm256_and_si256(_mm256_srli_epi16(raw, 4), low);
        s16 = _mm256_add_epi16(s16, _mm256_maddubs_epi16(lo, _mm256_set1_epi32(xq[k])));
        s16 = _mm256_add_epi16(s16, _mm256_maddubs_epi16(hi, _mm256_set1_epi32(xq[k + 4])));
    }
    return _mm256_madd_epi16(s16, ones);
}
#define QR_Q8_BLOCK avx2_q8_block
#define QR_Q4_BLOCK avx2_q4_block
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
