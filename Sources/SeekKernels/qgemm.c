// Batched products of q8 / q4 weights with int8-quantized tokens (prefill): the token quantizer, the
// portable product, and the run-time dispatch. The SIMD kernels are in qgemm_avx2.c / qgemm_avx512.c.
#include "sk_internal.h"

static inline size_t block_count(size_t cols) { return (cols + SK_QBLOCK - 1) / SK_QBLOCK; }

size_t sk_quantized_tokens_bytes(size_t n, size_t cols) {
    // int8 values, then float scales, then int32 sums: each part a multiple of 4 bytes, so the
    // following part stays aligned.
    return n * block_count(cols) * (SK_QBLOCK + sizeof(float) + sizeof(int32_t));
}

sk_qtokens sk_qtokens_view(const void *buffer, size_t n, size_t cols) {
    size_t nb = block_count(cols);
    sk_qtokens t;
    t.q = (const int8_t *)buffer;
    t.scale = (const float *)(t.q + n * nb * SK_QBLOCK);
    t.sum = (const int32_t *)(t.scale + n * nb);
    t.nblocks = nb;
    return t;
}

void sk_quantize_tokens(const float *x, size_t n, size_t cols, size_t t0, size_t t1, void *buffer) {
    size_t nb = block_count(cols);
    sk_qtokens view = sk_qtokens_view(buffer, n, cols);
    for (size_t t = t0; t < t1 && t < n; t++) {
        sk_qact act = {(int8_t *)view.q + t * nb * SK_QBLOCK, (float *)view.scale + t * nb,
                       (int32_t *)view.sum + t * nb, nb};
        if (cols == 0) continue;
        sk_quantize_activation(x + t * cols, cols, &act);
    }
}

/// Portable: the same integers as the SIMD kernels, row by row, token by token, block by block.
static void portable_matmul_int8(int q4, const void *w, const sk_qtokens *x, float *y, size_t n, size_t r0,
                                 size_t r1, size_t ldy) {
    size_t bb = q4 ? SK_Q4_BLOCK_BYTES : SK_Q8_BLOCK_BYTES, group_bytes = x->nblocks * SK_QROWS * bb;
    for (size_t r = r0; r < r1; r++) {
        size_t j = r % SK_QROWS;
        for (size_t t = 0; t < n; t++) {
            const int8_t *xq = x->q + t * x->nblocks * SK_QBLOCK;
            float sum = 0;
            for (size_t b = 0; b < x->nblocks; b++) {
                const uint8_t *gb = sk_qgroup_block(w, group_bytes, bb, r / SK_QROWS, b);
                uint16_t dh;
                memcpy(&dh, gb + 2 * j, 2);
                int isum = 0;
                for (size_t i = 0; i < SK_QBLOCK; i++) {
                    int v;
                    if (q4) {
                        uint8_t byte = gb[sk_q4_offset(j, i)];
                        v = (i < 16 ? byte & 15 : byte >> 4) - 8;
                    } else {
                        v = (int8_t)gb[sk_q8_offset(j, i)];
                    }
                    isum += v * xq[b * SK_QBLOCK + i];
                }
                sum += sk_f16_bits_to_f32(dh) * x->scale[t * x->nblocks + b] * (float)isum;
            }
            y[t * ldy + r] = sum;
        }
    }
}

static void matmul_int8(int q4, const void *w, const void *tokens, float *y, size_t n, size_t r0, size_t r1,
                        size_t cols, size_t ldy) {
    if (n == 0 || r0 >= r1) return;
    if (cols == 0) {
        for (size_t t = 0; t < n; t++)
            for (size_t r = r0; r < r1; r++) y[t * ldy + r] = 0;
        return;
    }
    sk_qtokens x = sk_qtokens_view(tokens, n, cols);
#if defined(__x86_64__)
    switch (sk_level()) {
    case SK_SIMD_AVX512:
        if (sk_amx_enabled()) sk_amx_matmul_int8(q4, w, &x, y, n, r0, r1, ldy);
        else sk_avx512_matmul_int8(q4, w, &x, y, n, r0, r1, ldy);
        return;
    case SK_SIMD_AVX2: sk_avx2_matmul_int8(q4, w, &x, y, n, r0, r1, ldy); return;
    }
#endif
    portable_matmul_int8(q4, w, &x, y, n, r0, r1, ldy);
}

void sk_matmul_q8_int8(const void *w, const void *tokens, float *y, size_t n, size_t row_begin, size_t row_end,
                       size_t cols, size_t ldy) {
    matmul_int8(0, w, tokens, y, n, row_begin, row_end, cols, ldy);
}

void sk_matmul_q4_int8(const void *w, const void *tokens, float *y, size_t n, size_t row_begin, size_t row_end,
                       size_t cols, size_t ldy) {
    matmul_int8(1, w, tokens, y, n, row_begin, row_end, cols, ldy);
}
