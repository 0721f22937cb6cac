// Matrix-vector products over the stored dtypes: the portable versions and the run-time dispatch.
// The portable loops keep 16 independent partial sums so the compiler vectorises them and the
// reduction is not one long dependency chain.
#include "sk_internal.h"

static float portable_dot_f32(const float *a, const float *b, size_t n) {
    float acc[16] = {0};
    size_t i = 0;
    for (; i + 16 <= n; i += 16)
        for (int k = 0; k < 16; k++) acc[k] += a[i + k] * b[i + k];
    float s = 0;
    for (int k = 0; k < 16; k++) s += acc[k];
    for (; i < n; i++) s += a[i] * b[i];
    return s;
}

static float portable_dot_bf16(const uint16_t *w, const float *x, size_t n) {
    float acc[16] = {0};
    size_t i = 0;
    for (; i + 16 <= n; i += 16)
        for (int k = 0; k < 16; k++) acc[k] += sk_bf16_bits_to_f32(w[i + k]) * x[i + k];
    float s = 0;
    for (int k = 0; k < 16; k++) s += acc[k];
    for (; i < n; i++) s += sk_bf16_bits_to_f32(w[i]) * x[i];
    return s;
}

static float portable_dot_f16(const uint16_t *w, const float *x, size_t n) {
    float acc[16] = {0};
    size_t i = 0;
    for (; i + 16 <= n; i += 16)
        for (int k = 0; k < 16; k++) acc[k] += sk_f16_bits_to_f32(w[i + k]) * x[i + k];
    float s = 0;
    for (int k = 0; k < 16; k++) s += acc[k];
    for (; i < n; i++) s += sk_f16_bits_to_f32(w[i]) * x[i];
    return s;
}

void sk_portable_matvec_f32(const float *w, const float *x, float *y, size_t r0, size_t r1, size_t cols) {
    for (size_t r = r0; r < r1; r++) y[r] = portable_dot_f32(w + r * cols, x, cols);
}

void sk_portable_matvec_bf16(const uint16_t *w, const float *x, float *y, size_t r0, size_t r1, size_t cols) {
    for (size_t r = r0; r < r1; r++) y[r] = portable_dot_bf16(w + r * cols, x, cols);
}

void sk_portable_matvec_f16(const uint16_t *w, const float *x, float *y, size_t r0, size_t r1, size_t cols) {
    for (size_t r = r0; r < r1; r++) y[r] = portable_dot_f16(w + r * cols, x, cols);
}

#if defined(__x86_64__)
#define SK_DISPATCH(name, ...)                                                              \
    switch (sk_level()) {                                                                   \
    case SK_SIMD_AVX512: sk_avx512_##name(__VA_ARGS__); return;                             \
    case SK_SIMD_AVX2: sk_avx2_##name(__VA_ARGS__); return;                                 \
    }                                                                                       \
    sk_portable_##name(__VA_ARGS__);
#else
#define SK_DISPATCH(name, ...) sk_portable_##name(__VA_ARGS__);
#endif

float sk_dot_f32(const float *a, const float *b, size_t n) {
#if defined(__x86_64__)
    switch (sk_level()) {
    case SK_SIMD_AVX512: return sk_avx512_dot_f32(a, b, n);
    case SK_SIMD_AVX2: return sk_avx2_dot_f32(a, b, n);
    }
#endif
    return portable_dot_f32(a, b, n);
}

void sk_matvec_f32(const float *w, const float *x, float *y, size_t row_begin, size_t row_end, size_t cols) {
    SK_DISPATCH(matvec_f32, w, x, y, row_begin, row_end, cols)
}

void sk_matvec_bf16(const uint16_t *w, const float *x, float *y, size_t row_begin, size_t row_end, size_t cols) {
    SK_DISPATCH(matvec_bf16, w, x, y, row_begin, row_end, cols)
}

void sk_matvec_f16(const uint16_t *w, const float *x, float *y, size_t row_begin, size_t row_end, size_t cols) {
    SK_DISPATCH(matvec_f16, w, x, y, row_begin, row_end, cols)
}
