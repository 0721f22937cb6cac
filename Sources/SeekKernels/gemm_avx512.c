// AVX-512 batched product Y = X · Wᵀ: the AVX2 kernel's panels and loop (sk_gemm_driver), with a tile
// that holds a whole panel column (16 rows) in one register and 12 tokens: 12 accumulators, each k one
// panel load and 12 FMAs with an embedded broadcast of x. Intel cores with two 512-bit FMA ports run
// them at the 256-bit rate, twice the multiply-adds; Zen 4 runs one as two halves, so nothing is lost.
// Each lane sums its products in the AVX2 tile's order, so the results are the same bits.
#if defined(__x86_64__)
#include "sk_internal.h"
#include <immintrin.h>

enum { NR = 16, MR = 12 };

#define EACH12(M) M(0) M(1) M(2) M(3) M(4) M(5) M(6) M(7) M(8) M(9) M(10) M(11)
#define DECLARE(T) __m512 c##T = _mm512_setzero_ps();
#define FMA_TOKEN(T) \
    if (mt > T) c##T = _mm512_fmadd_ps(w, _mm512_set1_ps(x[T * ldx + k]), c##T);
#define STORE(T)                                                                                   \
    if (mt > T) {                                                                                  \
        __m512 v = c##T;                                                                           \
        if (accumulate) v = _mm512_add_ps(v, _mm512_maskz_loadu_ps(rows, y + T * ldy));            \
        _mm512_mask_storeu_ps(y + T * ldy, rows, v);                                               \
    }
SK_TARGET_AVX512 static inline __attribute__((always_inline)) void
tile(const int mt, size_t kc, const float *x, size_t ldx, const float *panel, float *y, size_t ldy, size_t nr,
     int accumulate) {
    EACH12(DECLARE)
    for (size_t k = 0; k < kc; k++) {
        __m512 w = _mm512_load_ps(panel + k * NR);
        EACH12(FMA_TOKEN)
    }
    __mmask16 rows = nr >= NR ? (__mmask16)0xffff : (__mmask16)((1u << nr) - 1);
    EACH12(STORE)
}
#undef DECLARE
#undef FMA_TOKEN
#undef STORE

SK_TARGET_AVX512 static void tile_any(size_t mt, size_t kc, const float *x, size_t ldx, const float *panel,
                                      float *y, size_t ldy, size_t nr, int accumulate) {
    switch (mt) {
#define TILE_CASE(T) case T + 1: tile(T + 1, kc, x, ldx, panel, y, ldy, nr, accumulate); return;
    EACH12(TILE_CASE)
#undef TILE_CASE
    }
}

void sk_avx512_matmul(int format, const void *w, const float *x, float *y, size_t n, size_t r0, size_t r1,
                      size_t cols, size_t ldy) {
    sk_gemm_driver(format, tile_any, MR, w, x, y, n, r0, r1, cols, ldy);
}
#endif
