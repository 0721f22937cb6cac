// The shared body of the SIMD quantized matrix-vector kernels for a few tokens at once (several sequences
// decoding together), over the 8-row interleaved layout. Included by quant_avx2.c and quant_avx512.c
// after quant_rows.h; they define QT_TARGET, QT_Q8_ROWS and QT_Q4_ROWS (the functions' names) and:
//   QT_WEIGHTS                  a type holding one group-block's weights, ready for the products
//   QT_LOAD(gb, q4, &weights)   reads the group-block gb once (q8: 8 vectors; q4: 4, split into nibbles)
//   QT_DOT(&weights, q4, xq)    the 8 rows' int32 dot products with one token's activation block xq,
//                               before the offset correction
//   QT_Q8_OFFSET                what QT_DOT's q8 products carry per unit of sum(x) (0 or 128); q4's is 8
//   QT_LINKAGE (optional)       `static` when the functions are helpers of the including file
// Each group-block is loaded and unpacked once and then multiplied with every token while it sits in
// registers, so n tokens read the weights from memory once instead of n times. Per token the integers,
// the scale product and the float accumulation are exactly those of the one-token kernel (quant_rows.h),
// so its results are bit for bit the same.

#define QT_MAX_TOKENS SK_TOKENS_MAX
#ifndef QT_LINKAGE
#define QT_LINKAGE
#endif

QT_TARGET static inline __attribute__((always_inline)) void
qt_rows(const int nt, const int q4, const uint8_t *w, size_t group_bytes, const sk_qact_tokens *x, float *y, size_t ldy,
        size_t r0, size_t r1, int accumulate) {
    const size_t gbytes = SK_QROWS * (q4 ? SK_Q4_BLOCK_BYTES : SK_Q8_BLOCK_BYTES);
    const int32_t offset = q4 ? 8 : QT_Q8_OFFSET;
    const size_t nb = x->nblocks;
    for (size_t g = r0 / SK_QROWS; g * SK_QROWS < r1; g++) {
        const uint8_t *gb = w + g * group_bytes;
        __m256 acc[QT_MAX_TOKENS];
        for (int t = 0; t < nt; t++) acc[t] = _mm256_setzero_ps();
        for (size_t b = 0; b < nb; b++, gb += gbytes) {
            for (size_t line = 0; line < gbytes; line += 64)
                _mm_prefetch((const char *)gb + QR_PREFETCH_DISTANCE + line, _MM_HINT_T0);
            QT_WEIGHTS weights;
            QT_LOAD(gb, q4, &weights);
            __m256 dw = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)gb));
            for (int t = 0; t < nt; t++) {
                __m256i dot = QT_DOT(&weights, q4, (const int32_t *)(x->q[t] + b * SK_QBLOCK));
                if (offset) dot = _mm256_sub_epi32(dot, _mm256_set1_epi32(offset * x->sum[t][b]));
                __m256 d = _mm256_mul_ps(dw, _mm256_set1_ps(x->scale[t][b]));
                acc[t] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(dot), d, acc[t]);
            }
        }
        size_t first = g * SK_QROWS;
        for (int t = 0; t < nt; t++) {
            float *yt = y + t * ldy;
            if (first >= r0 && first + SK_QROWS <= r1) {
                __m256 v = accumulate ? _mm256_add_ps(acc[t], _mm256_loadu_ps(yt + first)) : acc[t];
                _mm256_storeu_ps(yt + first, v);
            } else { // a group cut by the range: only its rows inside [r0, r1)
                float out[SK_QROWS];
                _mm256_storeu_ps(out, acc[t]);
                for (size_t j = 0; j < SK_QROWS; j++)
                    if (first + j >= r0 && first + j < r1) yt[first + j] = accumulate ? yt[first + j] + out[j] : out[j];
            }
        }
    }
}

// One instance per token count, so every loop over tokens unrolls and the accumulators stay in registers.
#define QT_CASES(Q4)                                                                                   \
    switch (n) {                                                                                       \
    case 1: qt_rows(1, Q4, w, group_bytes, x, y, ldy, r0, r1, accumulate); break;                       \
    case 2: qt_rows(2, Q4, w, group_bytes, x, y, ldy, r0, r1, accumulate); break;                       \
    case 3: qt_rows(3, Q4, w, group_bytes, x, y, ldy, r0, r1, accumulate); break;                       \
    case 4: qt_rows(4, Q4, w, group_bytes, x, y, ldy, r0, r1, accumulate); break;                       \
    case 5: qt_rows(5, Q4, w, group_bytes, x, y, ldy, r0, r1, accumulate); break;                       \
    case 6: qt_rows(6, Q4, w, group_bytes, x, y, ldy, r0, r1, accumulate); break;                       \
    case 7: qt_rows(7, Q4, w, group_bytes, x, y, ldy, r0, r1, accumulate); break;                       \
    default: qt_rows(8, Q4, w, group_bytes, x, y, ldy, r0, r1, accumulate); break;                      \
    }

QT_LINKAGE QT_TARGET void QT_Q8_ROWS(const uint8_t *w, size_t group_bytes, const sk_qact_tokens *x, size_t n, float *y, size_t ldy,
                          size_t r0, size_t r1, int accumulate) {
    QT_CASES(0)
}

QT_LINKAGE QT_TARGET void QT_Q4_ROWS(const uint8_t *w, size_t group_bytes, const sk_qact_tokens *x, size_t n, float *y, size_t ldy,
                          size_t r0, size_t r1, int accumulate) {
    QT_CASES(1)
}

#undef QT_CASES
#undef QT_MAX_TOKENS
#undef QT_LINKAGE
