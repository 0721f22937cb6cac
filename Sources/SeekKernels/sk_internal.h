// Shared by the kernel files only: the dispatch level and the per-level implementations.
#ifndef SK_INTERNAL_H
#define SK_INTERNAL_H

#include "SeekKernels.h"
#include <string.h>

/// Target attributes: the package compiles without -march, so each SIMD function names its own ISA.
#define SK_TARGET_AVX2 __attribute__((target("avx2,fma,f16c")))
#define SK_TARGET_AVX512 \
    __attribute__((target("avx2,fma,f16c,avx512f,avx512bw,avx512vl,avx512vnni")))

int sk_level(void);

static inline float sk_bf16_bits_to_f32(uint16_t h) {
    uint32_t bits = (uint32_t)h << 16;
    float f;
    memcpy(&f, &bits, 4);
    return f;
}

/// Exact f16 → f32 by bit manipulation: without -mf16c a `_Float16` cast becomes a libgcc call per
/// element, which dominated quantizing and dequantizing.
static inline float sk_f16_bits_to_f32(uint16_t h) {
    uint32_t sign = (uint32_t)(h & 0x8000u) << 16;
    uint32_t exponent = (h >> 10) & 0x1fu, mantissa = h & 0x3ffu;
    uint32_t bits;
    if (exponent == 0) {
        float magnitude = (float)mantissa * 0x1p-24f;  // zero or subnormal: exact in float32
        memcpy(&bits, &magnitude, 4);
        bits |= sign;
    } else if (exponent == 31) {
        bits = sign | 0x7f800000u | (mantissa << 13);   // Inf / NaN (payload kept)
    } else {
        bits = sign | ((exponent + 112) << 23) | (mantissa << 13);
    }
    float f;
    memcpy(&f, &bits, 4);
    return f;
}

// Activation vector quantized to int8 blocks of 32 for the quantized matrix-vector products.
typedef struct {
    int8_t *q;        // nblocks * 32 values, zero-padded past cols
    float *scale;     // nblocks scales
    int32_t *sum;     // nblocks sums of q (q4 subtracts 8 * sum once per block instead of 8 per weight)
    size_t nblocks;
} sk_qact;

void sk_quantize_activation(const float *x, size_t cols, sk_qact *out);
/// One block of n <= 32 values (zero-padded); the SIMD versions reproduce it bit for bit.
void sk_quantize_activation_block(const float *v, size_t n, int8_t *q, float *scale);
void sk_avx2_quantize_activation(const float *x, size_t cols, sk_qact *out);
/// One weight block of 32 floats: returns the f16 scale bits and writes the 32 integers (q8: -127..127
/// as bytes; q4: nibbles 0..15, one per byte), exactly as quant.c's portable blocks.
uint16_t sk_avx2_quantize_q8_block(const float *v, uint8_t *q);
uint16_t sk_avx2_quantize_q4_block(const float *v, uint8_t *q);

// Per-level implementations (same contracts as the public functions).
void sk_avx2_f16_to_f32(const uint16_t *src, float *dst, size_t n);
void sk_avx512_f16_to_f32(const uint16_t *src, float *dst, size_t n);

float sk_avx2_dot_f32(const float *a, const float *b, size_t n);
float sk_avx512_dot_f32(const float *a, const float *b, size_t n);

void sk_portable_matvec_f32(const float *w, const float *x, float *y, size_t r0, size_t r1, size_t cols);
void sk_portable_matvec_bf16(const uint16_t *w, const float *x, float *y, size_t r0, size_t r1, size_t cols);
void sk_portable_matvec_f16(const uint16_t *w, const float *x, float *y, size_t r0, size_t r1, size_t cols);
void sk_avx2_matvec_f32(const float *w, const float *x, float *y, size_t r0, size_t r1, size_t cols);
void sk_avx2_matvec_bf16(const uint16_t *w, const float *x, float *y, size_t r0, size_t r1, size_t cols);
void sk_avx2_matvec_f16(const uint16_t *w, const float *x, float *y, size_t r0, size_t r1, size_t cols);
void sk_avx512_matvec_f32(const float *w, const float *x, float *y, size_t r0, size_t r1, size_t cols);
void sk_avx512_matvec_bf16(const uint16_t *w, const float *x, float *y, size_t r0, size_t r1, size_t cols);
void sk_avx512_matvec_f16(const uint16_t *w, const float *x, float *y, size_t r0, size_t r1, size_t cols);

// Interleaved quantized matrices (see SeekKernels.h): the first byte of group g's block b, where
// `group_bytes` = nblocks * 8 * block_bytes is the distance between groups.
static inline const uint8_t *sk_qgroup_block(const void *w, size_t group_bytes, size_t block_bytes, size_t g,
                                             size_t b) {
    return (const uint8_t *)w + g * group_bytes + b * SK_QROWS * block_bytes;
}
/// Byte of row j's weight at column i (< 32) within a group-block: q8 holds it whole; q4 in the low
/// nibble for i < 16 and the high nibble for i >= 16.
static inline size_t sk_q8_offset(size_t j, size_t i) { return 16 + (i / 4) * 32 + j * 4 + i % 4; }
static inline size_t sk_q4_offset(size_t j, size_t i) { return 16 + ((i % 16) / 4) * 32 + j * 4 + i % 4; }

// Quantized rows times a quantized activation: y[r] = (or +=, when accumulate) the row's dot product over
// x->nblocks blocks, for r in [r0, r1). `w` points at block 0 of the columns covered, `group_bytes` apart.
typedef void (*sk_qdot_rows_fn)(const uint8_t *w, size_t group_bytes, const sk_qact *x, float *y,
                                size_t r0, size_t r1, int accumulate);
void sk_portable_q8_rows(const uint8_t *w, size_t group_bytes, const sk_qact *x, float *y, size_t r0, size_t r1, int acc);
void sk_portable_q4_rows(const uint8_t *w, size_t group_bytes, const sk_qact *x, float *y, size_t r0, size_t r1, int acc);
void sk_avx2_q8_rows(const uint8_t *w, size_t group_bytes, const sk_qact *x, float *y, size_t r0, size_t r1, int acc);
void sk_avx2_q4_rows(const uint8_t *w, size_t group_bytes, const sk_qact *x, float *y, size_t r0, size_t r1, int acc);
void sk_avx512_q8_rows(const uint8_t *w, size_t group_bytes, const sk_qact *x, float *y, size_t r0, size_t r1, int acc);
void sk_avx512_q4_rows(const uint8_t *w, size_t group_bytes, const sk_qact *x, float *y, size_t r0, size_t r1, int acc);

double sk_avx2_sum_f32(const float *p, size_t n);
double sk_avx512_sum_f32(const float *p, size_t n);

// Batched products (gemm*.c): weight formats, the K block (a multiple of 32, so quantized blocks never
// straddle two), the row-chunk converter, and the per-level kernels.
enum { SK_GEMM_F32, SK_GEMM_BF16, SK_GEMM_F16, SK_GEMM_Q8, SK_GEMM_Q4 };
enum { SK_GEMM_KC = 256 };
void sk_gemm_row_chunk_f32(int format, const void *w, size_t row, size_t cols, size_t k0, size_t kc, float *dst);
/// The quantized case of sk_gemm_row_chunk_f32 (q4: nonzero), in quant.c.
void sk_gemm_quantized_row_chunk(int q4, const void *w, size_t row, size_t cols, size_t k0, size_t kc, float *dst);
void sk_avx2_matmul(int format, const void *w, const float *x, float *y, size_t n, size_t r0, size_t r1,
                    size_t cols, size_t ldy);
void sk_avx512_matmul(int format, const void *w, const float *x, float *y, size_t n, size_t r0, size_t r1,
                      size_t cols, size_t ldy);

#endif
