// Portable matrix-vector products over the stored dtypes. Written so the compiler vectorises them;
// the inner loops keep 16 independent partial sums so the reduction is not one long dependency chain.
#include "SeekKernels.h"
#include <string.h>

float sk_dot_f32(const float *a, const float *b, size_t n) {
    float acc[16] = {0};
    size_t i = 0;
    for (; i + 16 <= n; i += 16)
        for (int k = 0; k < 16; k++) acc[k] += a[i + k] * b[i + k];
    float s = 0;
    for (int k = 0; k < 16; k++) s += acc[k];
    for (; i < n; i++) s += a[i] * b[i];
    return s;
}

void sk_matvec_f32(const float *w, const float *x, float *y, size_t row_begin, size_t row_end, size_t cols) {
    for (size_t r = row_begin; r < row_end; r++) y[r] = sk_dot_f32(w + r * cols, x, cols);
}

static float dot_bf16(const uint16_t *w, const float *x, size_t n) {
    float acc[16] = {0};
    size_t i = 0;
    for (; i + 16 <= n; i += 16)
        for (int k = 0; k < 16; k++) {
            uint32_t bits = (uint32_t)w[i + k] << 16;
            float f;
            memcpy(&f, &bits, 4);
            acc[k] += f * x[i + k];
        }
    float s = 0;
    for (int k = 0; k < 16; k++) s += acc[k];
    for (; i < n; i++) {
        uint32_t bits = (uint32_t)w[i] << 16;
        float f;
        memcpy(&f, &bits, 4);
        s += f * x[i];
    }
    return s;
}

void sk_matvec_bf16(const uint16_t *w, const float *x, float *y, size_t row_begin, size_t row_end, size_t cols) {
    for (size_t r = row_begin; r < row_end; r++) y[r] = dot_bf16(w + r * cols, x, cols);
}

static float dot_f16(const uint16_t *w, const float *x, size_t n) {
    float acc[16] = {0};
    size_t i = 0;
    for (; i + 16 <= n; i += 16)
        for (int k = 0; k < 16; k++) {
            _Float16 h;
            memcpy(&h, &w[i + k], 2);
            acc[k] += (float)h * x[i + k];
        }
    float s = 0;
    for (int k = 0; k < 16; k++) s += acc[k];
    for (; i < n; i++) {
        _Float16 h;
        memcpy(&h, &w[i], 2);
        s += (float)h * x[i];
    }
    return s;
}

void sk_matvec_f16(const uint16_t *w, const float *x, float *y, size_t row_begin, size_t row_end, size_t cols) {
    for (size_t r = row_begin; r < row_end; r++) y[r] = dot_f16(w + r * cols, x, cols);
}
