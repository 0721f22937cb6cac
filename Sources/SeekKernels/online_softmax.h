// The online softmax's step over one block of scored rows, shared by the AVX-512 and AMX decode kernels
// (attention_decode_avx512.c, attention_decode_amx.c): 16 heads in the lanes, one register per row.
#ifndef SK_ONLINE_SOFTMAX_H
#define SK_ONLINE_SOFTMAX_H
#include "simd_exp.h"
#if defined(__x86_64__)

/// scores[r * 16 ..] (r < rows) are scaled by `scale`, the running maxima *m move up to the block's, and
/// the scores become exp(score - new maximum), their sum added to the normalisers *l after those are
/// rescaled. Returns what the sums of earlier rows must be multiplied by: exp(old - new maximum), and 0
/// for a head that has seen no row yet (maximum -inf), not exp(-inf - -inf) = NaN.
SK_TARGET_AVX512 static inline __m512 sk_online_softmax_block16(float *scores, size_t rows, __m512 scale, __m512 *m,
                                                                __m512 *l) {
    const __m512 ninf = _mm512_set1_ps(-INFINITY);
    __m512 bm = ninf;
    for (size_t r = 0; r < rows; r++) {
        __m512 s = _mm512_mul_ps(_mm512_load_ps(scores + r * 16), scale);
        _mm512_store_ps(scores + r * 16, s);
        bm = _mm512_max_ps(bm, s);
    }
    __m512 nm = _mm512_max_ps(*m, bm);
    __m512 rescale = _mm512_maskz_mov_ps(_mm512_cmp_ps_mask(*m, ninf, _CMP_NEQ_OQ), exp16(_mm512_sub_ps(*m, nm)));
    __m512 sum = _mm512_setzero_ps();
    for (size_t r = 0; r < rows; r++) {
        __m512 p = exp16(_mm512_sub_ps(_mm512_load_ps(scores + r * 16), nm));
        _mm512_store_ps(scores + r * 16, p);
        sum = _mm512_add_ps(sum, p);
    }
    *l = _mm512_fmadd_ps(*l, rescale, sum);
    *m = nm;
    return rescale;
}

#endif
#endif
