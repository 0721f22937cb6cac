// AVX-512 matrix-vector products: the AVX2 kernels' structure (four rows sharing each load of x, two
// accumulators per row) at 16 floats per vector; bf16 as in AVX2, with the even/odd split and prefetch.
#if defined(__x86_64__)
#include "sk_internal.h"
#include <immintrin.h>

SK_TARGET_AVX512 static inline __m512 load16_f32(const float *p) { return _mm512_loadu_ps(p); }
SK_TARGET_AVX512 static inline __m512 load16_f16(const uint16_t *p) {
    return _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)p));
}
static inline float scalar_f32(float v) { return v; }

#define SK_AVX512_MATVEC(NAME, T, LOAD16, SCALAR)                                                   \
    SK_TARGET_AVX512 void NAME(const T *w, const float *x, float *y, size_t r0, size_t r1, size_t cols) { \
        size_t r = r0;                                                                          \
        for (; r + 4 <= r1; r += 4) {                                                           \
            const T *w0 = w + r * cols, *w1 = w0 + cols, *w2 = w1 + cols, *w3 = w2 + cols;      \
            __m512 a0 = _mm512_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;                         \
            __m512 b0 = a0, b1 = a0, b2 = a0, b3 = a0;                                          \
            size_t c = 0;                                                                       \
            for (; c + 32 <= cols; c += 32) {                                                   \
                __m512 x0 = _mm512_loadu_ps(x + c), x1 = _mm512_loadu_ps(x + c + 16);           \
                a0 = _mm512_fmadd_ps(LOAD16(w0 + c), x0, a0);                                   \
                b0 = _mm512_fmadd_ps(LOAD16(w0 + c + 16), x1, b0);                              \
                a1 = _mm512_fmadd_ps(LOAD16(w1 + c), x0, a1);                                   \
                b1 = _mm512_fmadd_ps(LOAD16(w1 + c + 16), x1, b1);                              \
                a2 = _mm512_fmadd_ps(LOAD16(w2 + c), x0, a2);                                   \
                b2 = _mm512_fmadd_ps(LOAD16(w2 + c + 16), x1, b2);                              \
                a3 = _mm512_fmadd_ps(LOAD16(w3 + c), x0, a3);                                   \
                b3 = _mm512_fmadd_ps(LOAD16(w3 + c + 16), x1, b3);                              \
            }                                                                                   \
            for (; c + 16 <= cols; c += 16) {                                                   \
                __m512 x0 = _mm512_loadu_ps(x + c);                                             \
                a0 = _mm512_fmadd_ps(LOAD16(w0 + c), x0, a0);                                   \
                a1 = _mm512_fmadd_ps(LOAD16(w1 + c), x0, a1);                                   \
                a2 = _mm512_fmadd_ps(LOAD16(w2 + c), x0, a2);                                   \
                a3 = _mm512_fmadd_ps(LOAD16(w3 + c), x0, a3);                                   \
            }                                                                                   \
            float s0 = _mm512_reduce_add_ps(_mm512_add_ps(a0, b0));                             \
            float s1 = _mm512_reduce_add_ps(_mm512_add_ps(a1, b1));                             \
            float s2 = _mm512_reduce_add_ps(_mm512_add_ps(a2, b2));                             \
            float s3 = _mm512_reduce_add_ps(_mm512_add_ps(a3, b3));                             \
            for (; c < cols; c++) {                                                             \
                s0 += SCALAR(w0[c]) * x[c];                                                     \
                s1 += SCALAR(w1[c]) * x[c];                                                     \
                s2 += SCALAR(w2[c]) * x[c];                                                     \
                s3 += SCALAR(w3[c]) * x[c];                                                     \
            }                                                                                   \
            y[r] = s0; y[r + 1] = s1; y[r + 2] = s2; y[r + 3] = s3;                             \
        }                                                                                       \
        for (; r < r1; r++) {                                                                   \
            const T *w0 = w + r * cols;                                                         \
            __m512 a0 = _mm512_setzero_ps(), b0 = a0;                                           \
            size_t c = 0;                                                                       \
            for (; c + 32 <= cols; c += 32) {                                                   \
                a0 = _mm512_fmadd_ps(LOAD16(w0 + c), _mm512_loadu_ps(x + c), a0);              \
                b0 = _mm512_fmadd_ps(LOAD16(w0 + c + 16), _mm512_loadu_ps(x + c + 16), b0);    \
            }                                                                                   \
            for (; c + 16 <= cols; c += 16) a0 = _mm512_fmadd_ps(LOAD16(w0 + c), _mm512_loadu_ps(x + c), a0); \
            float s0 = _mm512_reduce_add_ps(_mm512_add_ps(a0, b0));                             \
            for (; c < cols; c++) s0 += SCALAR(w0[c]) * x[c];                                   \
            y[r] = s0;                                                                          \
        }                                                                                       \
    }

SK_AVX512_MATVEC(sk_avx512_matvec_f32, float, load16_f32, scalar_f32)
SK_AVX512_MATVEC(sk_avx512_matvec_f16, uint16_t, load16_f16, sk_f16_bits_to_f32)

// bf16 as the AVX2 kernel does it (matvec_avx2.c): in each 32-bit lane of 32 loaded bf16, the even
// element becomes a float by a shift and the odd one by masking off the low half, against x split once
// per call into matching halves (per 32 columns: 16 even, then 16 odd). One ALU operation per 16
// weights instead of a widening shuffle and a shift, and the next four rows are prefetched during each
// pass: they start on new pages, where the hardware prefetcher stops.
enum { BF16_CHUNK = 4096 };

SK_TARGET_AVX512 static void split_even_odd(const float *x, float *out, size_t n32) {
    const __m512i even = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
    const __m512i odd = _mm512_setr_epi32(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
    for (size_t c = 0; c < n32; c += 32) {
        __m512 a = _mm512_loadu_ps(x + c), b = _mm512_loadu_ps(x + c + 16);
        _mm512_store_ps(out + c, _mm512_permutex2var_ps(a, even, b));
        _mm512_store_ps(out + c + 16, _mm512_permutex2var_ps(a, odd, b));
    }
}

#define BF16_STEP(I, P)                                                                         \
    {                                                                                           \
        __m512i v = _mm512_loadu_si512((const void *)(P + c));                                  \
        e##I = _mm512_fmadd_ps(_mm512_castsi512_ps(_mm512_slli_epi32(v, 16)), xe, e##I);        \
        o##I = _mm512_fmadd_ps(_mm512_castsi512_ps(_mm512_and_si512(v, high)), xo, o##I);      \
    }

SK_TARGET_AVX512 void sk_avx512_matvec_bf16(const uint16_t *w, const float *x, float *y, size_t r0, size_t r1,
                                            size_t cols) {
    float split[BF16_CHUNK] __attribute__((aligned(64)));
    const __m512i high = _mm512_set1_epi32((int)0xFFFF0000u);
    if (cols == 0) {
        for (size_t r = r0; r < r1; r++) y[r] = 0;
        return;
    }
    for (size_t c0 = 0; c0 < cols; c0 += BF16_CHUNK) {
        size_t n = cols - c0 < BF16_CHUNK ? cols - c0 : BF16_CHUNK, n32 = n & ~(size_t)31;
        const float *xc = x + c0;
        split_even_odd(xc, split, n32);
        size_t r = r0;
        for (; r + 4 <= r1; r += 4) {
            const uint16_t *w0 = w + r * cols + c0, *w1 = w0 + cols, *w2 = w1 + cols, *w3 = w2 + cols;
            __m512 e0 = _mm512_setzero_ps(), e1 = e0, e2 = e0, e3 = e0, o0 = e0, o1 = e0, o2 = e0, o3 = e0;
            if (r + 8 <= r1) {
                const uint16_t *nx0 = w0 + 4 * cols;
                for (size_t c = 0; c < n32; c += 32) {
                    _mm_prefetch((const char *)(nx0 + c), _MM_HINT_T0);
                    _mm_prefetch((const char *)(nx0 + cols + c), _MM_HINT_T0);
                    _mm_prefetch((const char *)(nx0 + 2 * cols + c), _MM_HINT_T0);
                    _mm_prefetch((const char *)(nx0 + 3 * cols + c), _MM_HINT_T0);
                    __m512 xe = _mm512_load_ps(split + c), xo = _mm512_load_ps(split + c + 16);
                    BF16_STEP(0, w0) BF16_STEP(1, w1) BF16_STEP(2, w2) BF16_STEP(3, w3)
                }
            } else
            for (size_t c = 0; c < n32; c += 32) {
                __m512 xe = _mm512_load_ps(split + c), xo = _mm512_load_ps(split + c + 16);
                BF16_STEP(0, w0) BF16_STEP(1, w1) BF16_STEP(2, w2) BF16_STEP(3, w3)
            }
            float s[4] = {_mm512_reduce_add_ps(_mm512_add_ps(e0, o0)), _mm512_reduce_add_ps(_mm512_add_ps(e1, o1)),
                          _mm512_reduce_add_ps(_mm512_add_ps(e2, o2)), _mm512_reduce_add_ps(_mm512_add_ps(e3, o3))};
            const uint16_t *rows[4] = {w0, w1, w2, w3};
            for (int i = 0; i < 4; i++) {
                for (size_t c = n32; c < n; c++) s[i] += sk_bf16_bits_to_f32(rows[i][c]) * xc[c];
                y[r + i] = c0 == 0 ? s[i] : y[r + i] + s[i];
            }
        }
        for (; r < r1; r++) {
            const uint16_t *w0 = w + r * cols + c0;
            __m512 e0 = _mm512_setzero_ps(), o0 = e0;
            for (size_t c = 0; c < n32; c += 32) {
                __m512 xe = _mm512_load_ps(split + c), xo = _mm512_load_ps(split + c + 16);
                BF16_STEP(0, w0)
            }
            float s = _mm512_reduce_add_ps(_mm512_add_ps(e0, o0));
            for (size_t c = n32; c < n; c++) s += sk_bf16_bits_to_f32(w0[c]) * xc[c];
            y[r] = c0 == 0 ? s : y[r] + s;
        }
    }
}
#undef BF16_STEP

SK_TARGET_AVX512 float sk_avx512_dot_f32(const float *a, const float *b, size_t n) {
    __m512 s0 = _mm512_setzero_ps(), s1 = s0, s2 = s0, s3 = s0;
    size_t i = 0;
    for (; i + 64 <= n; i += 64) {
        s0 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i), s0);
        s1 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i + 16), _mm512_loadu_ps(b + i + 16), s1);
        s2 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i + 32), _mm512_loadu_ps(b + i + 32), s2);
        s3 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i + 48), _mm512_loadu_ps(b + i + 48), s3);
    }
    for (; i + 16 <= n; i += 16) s0 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i), s0);
    float s = _mm512_reduce_add_ps(_mm512_add_ps(_mm512_add_ps(s0, s1), _mm512_add_ps(s2, s3)));
    for (; i < n; i++) s += a[i] * b[i];
    return s;
}

SK_TARGET_AVX512 double sk_avx512_sum_f32(const float *p, size_t n) {
    __m512 s[8];
    for (int k = 0; k < 8; k++) s[k] = _mm512_setzero_ps();
    size_t i = 0;
    for (; i + 128 <= n; i += 128)
        for (int k = 0; k < 8; k++) s[k] = _mm512_add_ps(s[k], _mm512_loadu_ps(p + i + 16 * k));
    double total = 0;
    for (int k = 0; k < 8; k++) total += _mm512_reduce_add_ps(s[k]);
    for (; i < n; i++) total += p[i];
    return total;
}
#endif
