// Block-level pieces of the q8 / q4 formats that every level's kernels share: one row chunk of a
// quantized matrix back to float32, and one activation block to int8. Portable C, calling nothing but
// the inline helpers of sk_internal.h, so the dispatching files (quant.c, gemm.c) and the SIMD files
// (quant_avx2.c, gemm_avx2.c, ...) can all use them without depending on each other.
#include "sk_internal.h"
#include <math.h>

static inline size_t block_count(size_t cols) { return (cols + SK_QBLOCK - 1) / SK_QBLOCK; }
static inline int clamp_int(int v, int lo, int hi) { return v < lo ? lo : (v > hi ? hi : v); }

/// Weight (row j, column i < 32) of a group-block, as the float d * q.
static inline float q8_weight(const uint8_t *gb, size_t j, size_t i) {
    uint16_t dh;
    memcpy(&dh, gb + 2 * j, 2);
    return sk_f16_bits_to_f32(dh) * (float)(int8_t)gb[sk_q8_offset(j, i)];
}
static inline float q4_weight(const uint8_t *gb, size_t j, size_t i) {
    uint16_t dh;
    memcpy(&dh, gb + 2 * j, 2);
    uint8_t byte = gb[sk_q4_offset(j, i)];
    return sk_f16_bits_to_f32(dh) * (float)((i < 16 ? byte & 15 : byte >> 4) - 8);
}

void sk_dequantize_row_chunk(int q4, const void *w, size_t row, size_t cols, size_t k0, size_t kc, float *dst) {
    size_t bb = q4 ? SK_Q4_BLOCK_BYTES : SK_Q8_BLOCK_BYTES, group_bytes = block_count(cols) * SK_QROWS * bb;
    size_t j = row % SK_QROWS;
    for (size_t i = 0; i < kc; i += SK_QBLOCK) {
        const uint8_t *gb = sk_qgroup_block(w, group_bytes, bb, row / SK_QROWS, (k0 + i) / SK_QBLOCK);
        size_t m = kc - i < SK_QBLOCK ? kc - i : SK_QBLOCK;
        if (q4)
            for (size_t t = 0; t < m; t++) dst[i + t] = q4_weight(gb, j, t);
        else
            for (size_t t = 0; t < m; t++) dst[i + t] = q8_weight(gb, j, t);
    }
}

void sk_quantize_activation_block(const float *v, size_t n, int8_t *q, float *scale) {
    float amax = 0;
    for (size_t i = 0; i < n; i++) amax = fmaxf(amax, fabsf(v[i]));
    float inv = amax > 0 ? 127.0f / amax : 0;
    for (size_t i = 0; i < n; i++) q[i] = (int8_t)clamp_int((int)rintf(v[i] * inv), -127, 127);
    for (size_t i = n; i < SK_QBLOCK; i++) q[i] = 0;
    *scale = amax / 127.0f;
}

