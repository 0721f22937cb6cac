// Test support: SeekKernels' AVX-512 VNNI quantized kernels compiled for AVX2, with vpdpbusd emulated,
// so their logic (layout walk, row ranges, q4 correction, scales) is checked on CPUs without VNNI.
#ifndef VNNI_EMULATION_H
#define VNNI_EMULATION_H
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Whether this CPU can run the emulation (AVX2).
int vnni_emulation_available(void);
/// sk_matvec_q8 / sk_matvec_q4 through the emulated VNNI row kernels (cols <= 16384).
void vnni_emulated_matvec_q8(const void *w, const float *x, float *y, size_t row_begin, size_t row_end, size_t cols);
void vnni_emulated_matvec_q4(const void *w, const float *x, float *y, size_t row_begin, size_t row_end, size_t cols);
/// sk_matvec_q8_tokens (q4 = 0) / sk_matvec_q4_tokens (q4 = 1) through the emulated VNNI several-token
/// kernel (n <= 8, cols <= 8192).
void vnni_emulated_matvec_tokens(int q4, const void *w, const float *x, float *y, size_t n, size_t row_begin,
                                 size_t row_end, size_t cols, size_t ldy);
/// sk_matmul_q8_int8 (q4 = 0) / sk_matmul_q4_int8 (q4 = 1) through the emulated VNNI batched kernel.
void vnni_emulated_matmul_int8(int q4, const void *w, const void *tokens, float *y, size_t n, size_t row_begin,
                               size_t row_end, size_t cols, size_t ldy);

#ifdef __cplusplus
}
#endif
#endif
