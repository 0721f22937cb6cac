// AVX-512 batched product: the AVX2 kernel for now (valid on every AVX-512 CPU this dispatch accepts).
#if defined(__x86_64__)
#include "sk_internal.h"

void sk_avx512_matmul(int format, const void *w, const float *x, float *y, size_t n, size_t r0, size_t r1,
                      size_t cols, size_t ldy) {
    sk_avx2_matmul(format, w, x, y, n, r0, r1, cols, ldy);
}
#endif
