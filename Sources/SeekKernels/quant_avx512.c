// AVX-512 VNNI quantized row kernels: vpdpbusd (unsigned x signed bytes, summed into int32) on 256-bit
// vectors, one 32-weight block per instruction.
#if defined(__x86_64__)
#include "sk_internal.h"
#include <immintrin.h>

#define QR_TARGET SK_TARGET_AVX512
#define QR_HSUM avx512_qr_hsum
#define QR_SCALE avx512_qr_scale
#define QR_NIBBLES avx512_qr_nibbles
#define QR_Q8_ROWS sk_avx512_q8_rows
#define QR_Q4_ROWS sk_avx512_q4_rows

SK_TARGET_AVX512 static inline __m256i vnni_dot_s8(__m256i w, __m256i x) {
    return _mm256_dpbusd_epi32(_mm256_setzero_si256(), _mm256_abs_epi8(w), _mm256_sign_epi8(x, w));
}
// The correction enters as the (negated) starting value of the accumulation.
#define DOT_Q8(w, x) vnni_dot_s8(w, x)
#define DOT_Q4(q, x, c) _mm256_dpbusd_epi32(c, q, x)
#define Q4_CORR(x) _mm256_sub_epi32(_mm256_setzero_si256(), \
    _mm256_dpbusd_epi32(_mm256_setzero_si256(), _mm256_set1_epi8(8), x))

#include "quant_rows.h"
#endif
