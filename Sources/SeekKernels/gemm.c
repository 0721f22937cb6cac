// Batched products Y = X · Wᵀ over the stored weight dtypes (prefill): the portable versions and the
// run-time dispatch.
#include "sk_internal.h"

/// Portable: one row chunk at a time is converted once and dotted with every token's chunk.
static void portable_matmul(int format, const void *w, const float *x, float *y, size_t n, size_t r0,
                            size_t r1, size_t cols, size_t ldy) {
    float chunk[SK_GEMM_KC];
    for (size_t r = r0; r < r1; r++) {
        if (cols == 0)
            for (size_t t = 0; t < n; t++) y[t * ldy + r] = 0;
        for (size_t k0 = 0; k0 < cols; k0 += SK_GEMM_KC) {
            size_t kc = cols - k0 < SK_GEMM_KC ? cols - k0 : SK_GEMM_KC;
            sk_gemm_row_chunk_f32(format, w, r, cols, k0, kc, chunk);
            for (size_t t = 0; t < n; t++) {
                const float *xt = x + t * cols + k0;
                float acc[16] = {0};
                size_t i = 0;
                for (; i + 16 <= kc; i += 16)
                    for (int j = 0; j < 16; j++) acc[j] += chunk[i + j] * xt[i + j];
                float s = 0;
                for (int j = 0; j < 16; j++) s += acc[j];
                for (; i < kc; i++) s += chunk[i] * xt[i];
                y[t * ldy + r] = k0 == 0 ? s : y[t * ldy + r] + s;
            }
        }
    }
}

static void matmul(int format, const void *w, const float *x, float *y, size_t n, size_t r0, size_t r1,
                   size_t cols, size_t ldy) {
    if (n == 0 || r0 >= r1) return;
#if defined(__x86_64__)
    switch (sk_level()) {
    case SK_SIMD_AVX512: sk_avx512_matmul(format, w, x, y, n, r0, r1, cols, ldy); return;
    case SK_SIMD_AVX2: sk_avx2_matmul(format, w, x, y, n, r0, r1, cols, ldy); return;
    }
#endif
    portable_matmul(format, w, x, y, n, r0, r1, cols, ldy);
}

void sk_matmul_f32(const float *w, const float *x, float *y, size_t n, size_t row_begin, size_t row_end,
                   size_t cols, size_t ldy) {
    matmul(SK_GEMM_F32, w, x, y, n, row_begin, row_end, cols, ldy);
}

void sk_matmul_bf16(const uint16_t *w, const float *x, float *y, size_t n, size_t row_begin, size_t row_end,
                    size_t cols, size_t ldy) {
    matmul(SK_GEMM_BF16, w, x, y, n, row_begin, row_end, cols, ldy);
}

void sk_matmul_f16(const uint16_t *w, const float *x, float *y, size_t n, size_t row_begin, size_t row_end,
                   size_t cols, size_t ldy) {
    matmul(SK_GEMM_F16, w, x, y, n, row_begin, row_end, cols, ldy);
}

void sk_matmul_q8(const void *w, const float *x, float *y, size_t n, size_t row_begin, size_t row_end,
                  size_t cols, size_t ldy) {
    matmul(SK_GEMM_Q8, w, x, y, n, row_begin, row_end, cols, ldy);
}

void sk_matmul_q4(const void *w, const float *x, float *y, size_t n, size_t row_begin, size_t row_end,
                  size_t cols, size_t ldy) {
    matmul(SK_GEMM_Q4, w, x, y, n, row_begin, row_end, cols, ldy);
}
