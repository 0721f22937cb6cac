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

#include "quant_rows.h"
#endif
