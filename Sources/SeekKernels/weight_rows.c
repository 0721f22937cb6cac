// One row chunk of a weight matrix in any stored format as float32: the portable batched product and
// the SIMD packers' fallback for ranges that start inside a quantized 8-row group.
#include "sk_internal.h"

/// Converts weights [k0, k0 + kc) of one row to float32 in `dst`. For q8/q4, k0 is a multiple of 32.
void sk_gemm_row_chunk_f32(int format, const void *w, size_t row, size_t cols, size_t k0, size_t kc,
                           float *dst) {
    switch (format) {
    case SK_GEMM_F32: memcpy(dst, (const float *)w + row * cols + k0, kc * sizeof(float)); return;
    case SK_GEMM_BF16: {
        const uint16_t *s = (const uint16_t *)w + row * cols + k0;
        for (size_t i = 0; i < kc; i++) dst[i] = sk_bf16_bits_to_f32(s[i]);
        return;
    }
    case SK_GEMM_F16: {
        const uint16_t *s = (const uint16_t *)w + row * cols + k0;
        for (size_t i = 0; i < kc; i++) dst[i] = sk_f16_bits_to_f32(s[i]);
        return;
    }
    case SK_GEMM_Q8: sk_dequantize_row_chunk(0, w, row, cols, k0, kc, dst); return;
    case SK_GEMM_Q4: sk_dequantize_row_chunk(1, w, row, cols, k0, kc, dst); return;
    }
}
