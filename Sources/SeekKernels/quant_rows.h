// The shared body of the SIMD quantized row kernels (included by quant_avx2.c and quant_avx512.c,
// which define TARGET, the int8 dot products, and the function names). Four rows at a time share each
// activation block; per block and row: widen the weights, integer dot product, one float FMA with the
// product of the two scales.
//   DOT_Q8(w, x)   -> __m256i: 8 int32 partial sums of signed w * signed x (32 bytes each)
//   DOT_Q4(q, x, c)-> __m256i: the same for unsigned nibbles q (0..15) minus the correction c
//   Q4_CORR(x)     -> the correction for one activation block: 8 * x summed like DOT_Q4 sums q * x
static inline float QR_HSUM(__m256 v) QR_TARGET;
static inline float QR_HSUM(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

static inline float QR_SCALE(const uint8_t *block) QR_TARGET;
static inline float QR_SCALE(const uint8_t *block) {
    uint16_t dh;
    memcpy(&dh, block, 2);
    return _cvtsh_ss(dh);
}

static inline __m256i QR_NIBBLES(const uint8_t *block) QR_TARGET;
static inline __m256i QR_NIBBLES(const uint8_t *block) {
    __m128i raw = _mm_loadu_si128((const __m128i *)(block + 2));
    __m256i both = _mm256_set_m128i(_mm_srli_epi16(raw, 4), raw);
    return _mm256_and_si256(both, _mm256_set1_epi8(15));
}

// Bytes ahead to prefetch in each row stream (0: rely on the hardware prefetcher).
#ifndef QR_PREFETCH_DISTANCE
#define QR_PREFETCH_DISTANCE 0
#endif

#define QR_ROW_STEP(I, P, BB, LOADW, DOT)                                                       \
    {                                                                                           \
        const uint8_t *blk = P + b * BB;                                                        \
        if (qr_prefetch) _mm_prefetch((const char *)(blk + qr_prefetch), _MM_HINT_T0);         \
        __m256i p32 = DOT;                                                                      \
        acc##I = _mm256_fmadd_ps(_mm256_cvtepi32_ps(p32), _mm256_set1_ps(QR_SCALE(blk) * dx), acc##I); \
    }

QR_TARGET void QR_Q8_ROWS(const uint8_t *w, size_t row_bytes, const sk_qact *x, float *y, size_t r0, size_t r1,
                          int accumulate) {
    const int qr_prefetch = QR_PREFETCH_DISTANCE;
    const size_t BB = SK_Q8_BLOCK_BYTES;
    size_t r = r0;
    for (; r + 4 <= r1; r += 4) {
        const uint8_t *p0 = w + r * row_bytes, *p1 = p0 + row_bytes, *p2 = p1 + row_bytes, *p3 = p2 + row_bytes;
        __m256 acc0 = _mm256_setzero_ps(), acc1 = acc0, acc2 = acc0, acc3 = acc0;
        for (size_t b = 0; b < x->nblocks; b++) {
            __m256i xv = _mm256_loadu_si256((const __m256i *)(x->q + b * SK_QBLOCK));
            float dx = x->scale[b];
#define W8(blk) _mm256_loadu_si256((const __m256i *)((blk) + 2))
            QR_ROW_STEP(0, p0, BB, W8, DOT_Q8(W8(blk), xv))
            QR_ROW_STEP(1, p1, BB, W8, DOT_Q8(W8(blk), xv))
            QR_ROW_STEP(2, p2, BB, W8, DOT_Q8(W8(blk), xv))
            QR_ROW_STEP(3, p3, BB, W8, DOT_Q8(W8(blk), xv))
        }
        float s[4] = {QR_HSUM(acc0), QR_HSUM(acc1), QR_HSUM(acc2), QR_HSUM(acc3)};
        for (int i = 0; i < 4; i++) y[r + i] = accumulate ? y[r + i] + s[i] : s[i];
    }
    for (; r < r1; r++) {
        const uint8_t *p0 = w + r * row_bytes;
        __m256 acc0 = _mm256_setzero_ps();
        for (size_t b = 0; b < x->nblocks; b++) {
            __m256i xv = _mm256_loadu_si256((const __m256i *)(x->q + b * SK_QBLOCK));
            float dx = x->scale[b];
            QR_ROW_STEP(0, p0, BB, W8, DOT_Q8(W8(blk), xv))
        }
#undef W8
        float s = QR_HSUM(acc0);
        y[r] = accumulate ? y[r] + s : s;
    }
}

QR_TARGET void QR_Q4_ROWS(const uint8_t *w, size_t row_bytes, const sk_qact *x, float *y, size_t r0, size_t r1,
                          int accumulate) {
    const int qr_prefetch = QR_PREFETCH_DISTANCE;
    const size_t BB = SK_Q4_BLOCK_BYTES;
    size_t r = r0;
    for (; r + 4 <= r1; r += 4) {
        const uint8_t *p0 = w + r * row_bytes, *p1 = p0 + row_bytes, *p2 = p1 + row_bytes, *p3 = p2 + row_bytes;
        __m256 acc0 = _mm256_setzero_ps(), acc1 = acc0, acc2 = acc0, acc3 = acc0;
        for (size_t b = 0; b < x->nblocks; b++) {
            __m256i xv = _mm256_loadu_si256((const __m256i *)(x->q + b * SK_QBLOCK));
            __m256i corr = Q4_CORR(xv);
            float dx = x->scale[b];
            QR_ROW_STEP(0, p0, BB, _, DOT_Q4(QR_NIBBLES(blk), xv, corr))
            QR_ROW_STEP(1, p1, BB, _, DOT_Q4(QR_NIBBLES(blk), xv, corr))
            QR_ROW_STEP(2, p2, BB, _, DOT_Q4(QR_NIBBLES(blk), xv, corr))
            QR_ROW_STEP(3, p3, BB, _, DOT_Q4(QR_NIBBLES(blk), xv, corr))
        }
        float s[4] = {QR_HSUM(acc0), QR_HSUM(acc1), QR_HSUM(acc2), QR_HSUM(acc3)};
        for (int i = 0; i < 4; i++) y[r + i] = accumulate ? y[r + i] + s[i] : s[i];
    }
    for (; r < r1; r++) {
        const uint8_t *p0 = w + r * row_bytes;
        __m256 acc0 = _mm256_setzero_ps();
        for (size_t b = 0; b < x->nblocks; b++) {
            __m256i xv = _mm256_loadu_si256((const __m256i *)(x->q + b * SK_QBLOCK));
            __m256i corr = Q4_CORR(xv);
            float dx = x->scale[b];
            QR_ROW_STEP(0, p0, BB, _, DOT_Q4(QR_NIBBLES(blk), xv, corr))
        }
        float s = QR_HSUM(acc0);
        y[r] = accumulate ? y[r] + s : s;
    }
}

#undef QR_ROW_STEP
