// The memory read-bandwidth probe: a vectorised sum with many independent accumulators.
#include "sk_internal.h"

static double portable_sum_f32(const float *p, size_t n) {
    float acc[32] = {0};
    size_t i = 0;
    for (; i + 32 <= n; i += 32)
        for (int k = 0; k < 32; k++) acc[k] += p[i + k];
    double total = 0;
    for (int k = 0; k < 32; k++) total += acc[k];
    for (; i < n; i++) total += p[i];
    return total;
}

double sk_sum_f32(const float *p, size_t n) {
#if defined(__x86_64__)
    switch (sk_level()) {
    case SK_SIMD_AVX512: return sk_avx512_sum_f32(p, n);
    case SK_SIMD_AVX2: return sk_avx2_sum_f32(p, n);
    }
#endif
    return portable_sum_f32(p, n);
}
