// Run-time choice of the SIMD level: detected once from the CPU, lowerable for tests and benchmarks.
#include "sk_internal.h"
#include <stdlib.h>

static int detected_level = -1;  // -1 until first use
static int active_level = -1;

static int detect_level(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_cpu_init();
    int avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") &&
               __builtin_cpu_supports("f16c");
    int avx512 = avx2 && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
                 __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512vnni");
    if (avx512) return SK_SIMD_AVX512;
    if (avx2) return SK_SIMD_AVX2;
#endif
    return SK_SIMD_PORTABLE;
}

int sk_simd_level_supported(void) {
    return sk_detect_once(&detected_level, detect_level);
}

/// SEEK_SIMD=portable|avx2|avx512 caps the level (a safety valve and a way to compare paths).
static int environment_cap(void) {
    const char *value = getenv("SEEK_SIMD");
    if (!value) return SK_SIMD_AVX512;
    if (strcmp(value, "portable") == 0) return SK_SIMD_PORTABLE;
    if (strcmp(value, "avx2") == 0) return SK_SIMD_AVX2;
    return SK_SIMD_AVX512;
}

int sk_level(void) {
    int level = __atomic_load_n(&active_level, __ATOMIC_RELAXED);
    if (level < 0) {
        level = sk_simd_level_supported();
        int cap = environment_cap();
        if (level > cap) level = cap;
        __atomic_store_n(&active_level, level, __ATOMIC_RELAXED);
    }
    return level;
}

int sk_simd_level(void) { return sk_level(); }

int sk_set_simd_level(int level) {
    int supported = sk_simd_level_supported();
    if (level < SK_SIMD_PORTABLE) level = SK_SIMD_PORTABLE;
    if (level > supported) level = supported;
    __atomic_store_n(&active_level, level, __ATOMIC_RELAXED);
    return level;
}

const char *sk_simd_name(void) {
    switch (sk_level()) {
    case SK_SIMD_AVX512: return "avx512-vnni";
    case SK_SIMD_AVX2: return "avx2";
    default: return "portable";
    }
}
