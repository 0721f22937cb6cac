// AVX2 quantized matrix-vector kernels on the 8-row interleaved layout: int8 products via vpmaddubsw
// (|w| times x with w's sign moved onto x, as llama.cpp does; no saturation since |w|, |x| <= 127) and
// vpmaddwd. About 2x (q8) and 3x (q4) the speed of one row at a time on Zen 1, where only one pipe
// does integer multiplies and per-row scale and sum work dominated.
#if defined(__x86_64__)
#include "sk_internal.h"
#include <immintrin.h>
#include <math.h>

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

// Several tokens: the group-block loaded once (q8: |w| and w for the sign trick; q4: the nibbles, vector
// k paired with the token's bytes 4k..4k+3), then per token the same products as the one-token kernels.
typedef struct {
    __m256i a[8];  // q8: |w|; q4: nibbles
    __m256i s[8];  // q8: w, whose sign moves onto x
} avx2_weights;

SK_TARGET_AVX2 static inline void avx2_load_weights(const uint8_t *gb, int q4, avx2_weights *wt) {
    if (q4) {
        const __m256i low = _mm256_set1_epi8(15);
        for (int k = 0; k < 4; k++) {
            __m256i raw = _mm256_loadu_si256((const __m256i *)(gb + 16 + 32 * k));
            wt->a[k] = _mm256_and_si256(raw, low);
            wt->a[k + 4] = _mm256_and_si256(_mm256_srli_epi16(raw, 4), low);
        }
    } else {
        for (int k = 0; k < 8; k++) {
            wt->s[k] = _mm256_loadu_si256((const __m256i *)(gb + 16 + 32 * k));
            wt->a[k] = _mm256_sign_epi8(wt->s[k], wt->s[k]);
        }
    }
}

SK_TARGET_AVX2 static inline __m256i avx2_weights_dot(const avx2_weights *wt, int q4, const int32_t *xq) {
    const __m256i ones = _mm256_set1_epi16(1);
    if (q4) {  // eight nibble products add in int16 without overflow (see avx2_q4_block)
        __m256i s16 = _mm256_setzero_si256();
        for (int k = 0; k < 8; k++) s16 = _mm256_add_epi16(s16, _mm256_maddubs_epi16(wt->a[k], _mm256_set1_epi32(xq[k])));
        return _mm256_madd_epi16(s16, ones);
    }
    __m256i sum = _mm256_setzero_si256();
    for (int k = 0; k < 8; k++) {
        __m256i p16 = _mm256_maddubs_epi16(wt->a[k], _mm256_sign_epi8(_mm256_set1_epi32(xq[k]), wt->s[k]));
        sum = _mm256_add_epi32(sum, _mm256_madd_epi16(p16, ones));
    }
    return sum;
}
#define QT_TARGET SK_TARGET_AVX2
#define QT_Q8_ROWS sk_avx2_q8_token_rows
#define QT_Q4_ROWS sk_avx2_q4_token_rows
#define QT_WEIGHTS avx2_weights
#define QT_LOAD avx2_load_weights
#define QT_DOT avx2_weights_dot
#define QT_Q8_OFFSET 0
#include "quant_token_rows.h"

// Weight blocks at load time: the same scale bits and integers as quantize_q8_block / quantize_q4_block
// in quant.c (IEEE division and round-to-nearest-even in both), eight values per instruction.
SK_TARGET_AVX2 static inline uint16_t avx2_scale_bits(float v) {
    uint16_t bits = (uint16_t)_mm_extract_epi16(_mm_cvtps_ph(_mm_set_ss(v), _MM_FROUND_TO_NEAREST_INT), 0);
    float back = _mm_cvtss_f32(_mm_cvtph_ps(_mm_cvtsi32_si128(bits)));
    if (fabsf(back) < fabsf(v) && (bits & 0x7fff) < 0x7bff) bits++;  // next magnitude up, same sign
    return bits;
}

SK_TARGET_AVX2 static inline __m256i avx2_round_div(__m256 v, __m256 d, __m256i lo, __m256i hi) {
    __m256 r = _mm256_round_ps(_mm256_div_ps(v, d), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    return _mm256_min_epi32(hi, _mm256_max_epi32(lo, _mm256_cvtps_epi32(r)));
}

/// Packs 32 int32 (4 vectors, values fitting int8) into 32 bytes in order.
SK_TARGET_AVX2 static inline void avx2_store_bytes(__m256i a, __m256i b, __m256i c, __m256i d, uint8_t *out) {
    __m256i ab = _mm256_packs_epi32(a, b), cd = _mm256_packs_epi32(c, d);
    __m256i bytes = _mm256_permutevar8x32_epi32(_mm256_packs_epi16(ab, cd), _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
    _mm256_storeu_si256((__m256i *)out, bytes);
}

/// Loads a block of 32 floats into x (and their magnitudes into a); returns the largest magnitude.
SK_TARGET_AVX2 static inline float avx2_load_block(const float *v, __m256 x[4], __m256 a[4]) {
    const __m256 sign = _mm256_set1_ps(-0.0f);
    for (int i = 0; i < 4; i++) {
        x[i] = _mm256_loadu_ps(v + 8 * i);
        a[i] = _mm256_andnot_ps(sign, x[i]);
    }
    __m256 m = _mm256_max_ps(_mm256_max_ps(a[0], a[1]), _mm256_max_ps(a[2], a[3]));
    __m128 m4 = _mm_max_ps(_mm256_castps256_ps128(m), _mm256_extractf128_ps(m, 1));
    m4 = _mm_max_ps(m4, _mm_movehl_ps(m4, m4));
    return _mm_cvtss_f32(_mm_max_ss(m4, _mm_movehdup_ps(m4)));
}

SK_TARGET_AVX2 uint16_t sk_avx2_quantize_q8_block(const float *v, uint8_t *q) {
    __m256 x[4], a[4];
    uint16_t dh = avx2_scale_bits(avx2_load_block(v, x, a) / 127.0f);
    float d = _mm_cvtss_f32(_mm_cvtph_ps(_mm_cvtsi32_si128(dh)));
    if (d == 0) {
        memset(q, 0, SK_QBLOCK);
        return dh;
    }
    __m256 dv = _mm256_set1_ps(d);
    const __m256i lo = _mm256_set1_epi32(-127), hi = _mm256_set1_epi32(127);
    avx2_store_bytes(avx2_round_div(x[0], dv, lo, hi), avx2_round_div(x[1], dv, lo, hi),
                     avx2_round_div(x[2], dv, lo, hi), avx2_round_div(x[3], dv, lo, hi), q);
    return dh;
}

SK_TARGET_AVX2 uint16_t sk_avx2_quantize_q4_block(const float *v, uint8_t *q) {
    __m256 x[4], a[4];
    float amax = avx2_load_block(v, x, a);
    if (amax == 0) {  // as the portable block: scale +0, every nibble 8
        memset(q, 8, SK_QBLOCK);
        return 0;
    }
    // The first value of largest magnitude keeps its sign (the portable loop takes the first strict max).
    __m256 am = _mm256_set1_ps(amax);
    uint32_t hits = 0;
    for (int i = 0; i < 4; i++) hits |= (uint32_t)_mm256_movemask_ps(_mm256_cmp_ps(a[i], am, _CMP_EQ_OQ)) << (8 * i);
    float extreme = v[__builtin_ctz(hits)];
    uint16_t dh = avx2_scale_bits(extreme / -8.0f);
    float d = _mm_cvtss_f32(_mm_cvtph_ps(_mm_cvtsi32_si128(dh)));
    if (d == 0) {
        memset(q, 8, SK_QBLOCK);
        return dh;
    }
    __m256 dv = _mm256_set1_ps(d);
    const __m256i lo = _mm256_set1_epi32(-8), hi = _mm256_set1_epi32(7), eight = _mm256_set1_epi32(8);
    avx2_store_bytes(_mm256_add_epi32(avx2_round_div(x[0], dv, lo, hi), eight),
                     _mm256_add_epi32(avx2_round_div(x[1], dv, lo, hi), eight),
                     _mm256_add_epi32(avx2_round_div(x[2], dv, lo, hi), eight),
                     _mm256_add_epi32(avx2_round_div(x[3], dv, lo, hi), eight), q);
    return dh;
}

// The same integers and scales as sk_quantize_activation_block: max |x|, then round(x * (127 / amax))
// with the default round-to-nearest-even mode, which is what rintf does.
SK_TARGET_AVX2 void sk_avx2_quantize_activation(const float *x, size_t cols, sk_qact *out) {
    const __m256i lo = _mm256_set1_epi32(-127), hi = _mm256_set1_epi32(127);
    size_t full = cols / SK_QBLOCK;
    for (size_t b = 0; b < full; b++) {
        __m256 v[4], a[4];
        float amax = avx2_load_block(x + b * SK_QBLOCK, v, a);
        __m256 inv = _mm256_set1_ps(amax > 0 ? 127.0f / amax : 0);
#define Q32(V) _mm256_min_epi32(hi, _mm256_max_epi32(lo, _mm256_cvtps_epi32(_mm256_mul_ps(V, inv))))
        avx2_store_bytes(Q32(v[0]), Q32(v[1]), Q32(v[2]), Q32(v[3]), (uint8_t *)(out->q + b * SK_QBLOCK));
#undef Q32
        out->scale[b] = amax / 127.0f;
    }
    if (full * SK_QBLOCK < cols)
        sk_quantize_activation_block(x + full * SK_QBLOCK, cols - full * SK_QBLOCK, out->q + full * SK_QBLOCK,
                                     &out->scale[full]);
}
#endif
