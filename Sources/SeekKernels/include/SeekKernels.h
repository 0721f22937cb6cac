// SeekKernels: pure functions over buffers. No model types, no allocation, no threads.
// Matrices are row-major, `rows x cols`, in their stored dtype; a matrix-vector product covers the
// output rows [row_begin, row_end) so callers can split the rows across threads.
#ifndef SEEK_KERNELS_H
#define SEEK_KERNELS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

// --- element conversions -------------------------------------------------------------------------
void sk_bf16_to_f32(const uint16_t *src, float *dst, size_t n);
void sk_f16_to_f32(const uint16_t *src, float *dst, size_t n);
/// Round to nearest even, as torch does.
void sk_f32_to_bf16(const float *src, uint16_t *dst, size_t n);

// --- dot products and matrix-vector products (float32 accumulation) ----------------------------------
float sk_dot_f32(const float *a, const float *b, size_t n);

/// y[r] = sum_c W[r, c] * x[c] for r in [row_begin, row_end). y is indexed by absolute row.
void sk_matvec_f32(const float *w, const float *x, float *y, size_t row_begin, size_t row_end, size_t cols);
void sk_matvec_bf16(const uint16_t *w, const float *x, float *y, size_t row_begin, size_t row_end, size_t cols);
void sk_matvec_f16(const uint16_t *w, const float *x, float *y, size_t row_begin, size_t row_end, size_t cols);

#ifdef __cplusplus
}
#endif

#endif
