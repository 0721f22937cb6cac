// The shared body of the SIMD quantized matrix-vector kernels over the 8-row interleaved layout
// (included by quant_avx2.c and quant_avx512.c, which define QR_TARGET, the names, and two functions
// giving the 8 rows' int32 dot products of one group-block with one activation block):
//   QR_Q8_BLOCK(gb, xq)        q8 group-block gb, activation block xq (32 int8, read as 8 int32)
//   QR_Q4_BLOCK(gb, xq)        q4: sum of nib * x, before subtracting 8 * sum(x)
// Per group-block: those integers, then one conversion and one FMA with the 8 rows' scales times x's
// scale, so each float operation serves 8 rows.

// Bytes ahead of the group-block being read that each iteration asks the memory for. The stream is
// sequential, but Zen 1's hardware prefetcher alone keeps too few lines in flight for this loop, and
// 1 KB ahead was too close for memory ~100 ns away: one Xeon core read 11 GB/s (q4) and 10-11 GB/s (q8)
// with 1 KB, 12.2-12.7 and 13.4-13.8 with 4 KB (8 KB the same), where a plain sum reads 14-15.
#ifndef QR_PREFETCH_DISTANCE
#define QR_PREFETCH_DISTANCE 4096
#endif

#define QR_GROUP_LOOP(BLOCK_BYTES, BLOCK_DOT, Q4)                                                  \
    const size_t gbytes = SK_QROWS * (BLOCK_BYTES);                                             \
    for (size_t g = r0 / SK_QROWS; g * SK_QROWS < r1; g++) {                                    \
        const uint8_t *gb = w + g * group_bytes;                                                \
        __m256 acc = _mm256_setzero_ps();                                                       \
        for (size_t b = 0; b < x->nblocks; b++, gb += gbytes) {                                 \
            for (size_t line = 0; line < gbytes; line += 64)                                    \
                _mm_prefetch((const char *)gb + QR_PREFETCH_DISTANCE + line, _MM_HINT_T0);      \
            __m256i dot = BLOCK_DOT(gb, (const int32_t *)(x->q + b * SK_QBLOCK));               \
            if (Q4) dot = _mm256_sub_epi32(dot, _mm256_set1_epi32(8 * x->sum[b]));              \
            __m256 d = _mm256_mul_ps(_mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)gb)),     \
                                     _mm256_set1_ps(x->scale[b]));                              \
            acc = _mm256_fmadd_ps(_mm256_cvtepi32_ps(dot), d, acc);                             \
        }                                                                                       \
        size_t first = g * SK_QROWS;                                                            \
        if (first >= r0 && first + SK_QROWS <= r1) {                                            \
            if (accumulate) acc = _mm256_add_ps(acc, _mm256_loadu_ps(y + first));               \
            _mm256_storeu_ps(y + first, acc);                                                   \
        } else { /* a group cut by the range: only its rows inside [r0, r1) */                  \
            float out[SK_QROWS];                                                                \
            _mm256_storeu_ps(out, acc);                                                         \
            for (size_t j = 0; j < SK_QROWS; j++)                                               \
                if (first + j >= r0 && first + j < r1)                                          \
                    y[first + j] = accumulate ? y[first + j] + out[j] : out[j];                 \
        }                                                                                       \
    }

QR_TARGET void QR_Q8_ROWS(const uint8_t *w, size_t group_bytes, const sk_qact *x, float *y, size_t r0,
                          size_t r1, int accumulate) {
    QR_GROUP_LOOP(SK_Q8_BLOCK_BYTES, QR_Q8_BLOCK, 0)
}

QR_TARGET void QR_Q4_ROWS(const uint8_t *w, size_t group_bytes, const sk_qact *x, float *y, size_t r0,
                          size_t r1, int accumulate) {
    QR_GROUP_LOOP(SK_Q4_BLOCK_BYTES, QR_Q4_BLOCK, 1)
}

#undef QR_GROUP_LOOP
