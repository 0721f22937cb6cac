// Elementwise exponentials for the model's activations and softmaxes: SiLU-gated products and the
// exp-and-sum of a softmax row. The AVX2 exp is Cephes' expf (range reduction by ln 2 split in two, a
// degree-5 polynomial): within 2 ulp of libm's expf over the inputs that matter, 8 lanes at a time.
#include "sk_internal.h"
#include "simd_exp.h"
#include <math.h>
#if defined(__x86_64__)
#include <immintrin.h>
#endif

static void silu_mul_portable(float *gate, const float *up, size_t n) {
    for (size_t i = 0; i < n; i++) gate[i] = gate[i] / (1.0f + expf(-gate[i])) * up[i];
}

static float exp_sum_portable(float *x, size_t n, float scale, float shift) {
    float sum = 0;
    for (size_t i = 0; i < n; i++) {
        x[i] = expf(x[i] * scale - shift);
        sum += x[i];
    }
    return sum;
}

static float max_portable(const float *x, size_t n) {
    float m = -INFINITY;
    for (size_t i = 0; i < n; i++) m = x[i] > m ? x[i] : m;
    return m;
}

#if defined(__x86_64__)
SK_TARGET_AVX2 static void silu_mul_avx2(float *gate, const float *up, size_t n) {
    const __m256 one = _mm256_set1_ps(1.0f), sign = _mm256_set1_ps(-0.0f);
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 g = _mm256_loadu_ps(gate + i);
        __m256 e = exp8(_mm256_xor_ps(g, sign));
        _mm256_storeu_ps(gate + i, _mm256_mul_ps(_mm256_div_ps(g, _mm256_add_ps(one, e)), _mm256_loadu_ps(up + i)));
    }
    silu_mul_portable(gate + i, up + i, n - i);
}

SK_TARGET_AVX2 static float exp_sum_avx2(float *x, size_t n, float scale, float shift) {
    __m256 vs = _mm256_set1_ps(scale), vm = _mm256_set1_ps(shift), acc = _mm256_setzero_ps();
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 e = exp8(_mm256_fmsub_ps(_mm256_loadu_ps(x + i), vs, vm));
        _mm256_storeu_ps(x + i, e);
        acc = _mm256_add_ps(acc, e);
    }
    float lanes[8];
    _mm256_storeu_ps(lanes, acc);
    float sum = 0;
    for (int j = 0; j < 8; j++) sum += lanes[j];
    return sum + exp_sum_portable(x + i, n - i, scale, shift);
}

SK_TARGET_AVX2 static float max_avx2(const float *x, size_t n) {
    __m256 m = _mm256_set1_ps(-INFINITY);
    size_t i = 0;
    for (; i + 8 <= n; i += 8) m = _mm256_max_ps(m, _mm256_loadu_ps(x + i));
    float lanes[8];
    _mm256_storeu_ps(lanes, m);
    float r = max_portable(x + i, n - i);
    for (int j = 0; j < 8; j++) r = lanes[j] > r ? lanes[j] : r;
    return r;
}
#endif

void sk_silu_mul_f32(float *gate, const float *up, size_t n) {
#if defined(__x86_64__)
    if (sk_level() >= SK_SIMD_AVX2) {
        silu_mul_avx2(gate, up, n);
        return;
    }
#endif
    silu_mul_portable(gate, up, n);
}

float sk_exp_sum_f32(float *x, size_t n, float scale, float shift) {
#if defined(__x86_64__)
    if (sk_level() >= SK_SIMD_AVX2) return exp_sum_avx2(x, n, scale, shift);
#endif
    return exp_sum_portable(x, n, scale, shift);
}

float sk_max_f32(const float *x, size_t n) {
#if defined(__x86_64__)
    if (sk_level() >= SK_SIMD_AVX2) return max_avx2(x, n);
#endif
    return max_portable(x, n);
}
