// See VNNIEmulation.h. quant_avx512.c and qgemm_avx512.c are compiled a second time here with their
// target attribute turned into AVX2 and _mm256_dpbusd_epi32 replaced by an exact AVX2 equivalent.
#if defined(__x86_64__)
#include "../../Sources/SeekKernels/sk_internal.h"
#include <immintrin.h>

/// vpdpbusd: acc + sum of four u8 * s8 products per 32-bit lane, exactly for every input (vpmaddubsw
/// would saturate at int16 for u8 > 128): even and odd bytes widened to 16 bits, then two vpmaddwd.
SK_TARGET_AVX2 static inline __m256i emulated_dpbusd(__m256i acc, __m256i u8, __m256i s8) {
    __m256i u_even = _mm256_and_si256(u8, _mm256_set1_epi16(0xff)), u_odd = _mm256_srli_epi16(u8, 8);
    __m256i s_even = _mm256_srai_epi16(_mm256_slli_epi16(s8, 8), 8), s_odd = _mm256_srai_epi16(s8, 8);
    return _mm256_add_epi32(acc, _mm256_add_epi32(_mm256_madd_epi16(u_even, s_even), _mm256_madd_epi16(u_odd, s_odd)));
}

#define SK_VNNI_EMULATION 1  // quant_avx512.c: its 256-bit kernels only
#undef SK_TARGET_AVX512
#define SK_TARGET_AVX512 SK_TARGET_AVX2
#undef _mm256_dpbusd_epi32
#define _mm256_dpbusd_epi32 emulated_dpbusd
#define sk_avx512_q8_rows emulated_q8_rows
#define sk_avx512_q4_rows emulated_q4_rows
#define sk_avx512_q8_token_rows emulated_q8_token_rows
#define sk_avx512_q4_token_rows emulated_q4_token_rows
#include "../../Sources/SeekKernels/quant_avx512.c"
#define sk_avx512_matmul_int8 emulated_matmul_int8
#include "../../Sources/SeekKernels/qgemm_avx512.c"

int vnni_emulation_available(void) { return sk_simd_level_supported() >= SK_SIMD_AVX2; }

enum { MAX_COLS = 16384 };

static void matvec(sk_qdot_rows_fn rows_fn, size_t block_bytes, const void *w, const float *x, float *y,
                   size_t r0, size_t r1, size_t cols) {
    int8_t q[MAX_COLS] __attribute__((aligned(64)));
    float scale[MAX_COLS / SK_QBLOCK];
    int32_t sum[MAX_COLS / SK_QBLOCK];
    sk_qact act = {q, scale, sum, 0};
    sk_quantize_activation(x, cols, &act);
    rows_fn((const uint8_t *)w, act.nblocks * SK_QROWS * block_bytes, &act, y, r0, r1, 0);
}

void vnni_emulated_matvec_q8(const void *w, const float *x, float *y, size_t r0, size_t r1, size_t cols) {
    matvec(emulated_q8_rows, SK_Q8_BLOCK_BYTES, w, x, y, r0, r1, cols);
}
void vnni_emulated_matvec_q4(const void *w, const float *x, float *y, size_t r0, size_t r1, size_t cols) {
    matvec(emulated_q4_rows, SK_Q4_BLOCK_BYTES, w, x, y, r0, r1, cols);
}

void vnni_emulated_matvec_tokens(int q4, const void *w, const float *x, float *y, size_t n, size_t r0, size_t r1,
                                 size_t cols, size_t ldy) {
    if (n == 0 || n > SK_TOKENS_MAX || cols == 0 || cols > SK_TOKENS_CHUNK) return;
    sk_qact_tokens act;
    for (size_t t = 0; t < n; t++) {
        sk_qact one = {act.q[t], act.scale[t], act.sum[t], 0};
        sk_quantize_activation(x + t * cols, cols, &one);
        act.nblocks = one.nblocks;
    }
    size_t group_bytes = act.nblocks * SK_QROWS * (q4 ? SK_Q4_BLOCK_BYTES : SK_Q8_BLOCK_BYTES);
    (q4 ? emulated_q4_token_rows : emulated_q8_token_rows)((const uint8_t *)w, group_bytes, &act, n, y, ldy, r0, r1, 0);
}

void vnni_emulated_matmul_int8(int q4, const void *w, const void *tokens, float *y, size_t n, size_t r0, size_t r1,
                               size_t cols, size_t ldy) {
    if (n == 0 || r0 >= r1 || cols == 0) return;
    sk_qtokens x = sk_qtokens_view(tokens, n, cols);
    emulated_matmul_int8(q4, w, &x, y, n, r0, r1, ldy);
}
#else
#include "VNNIEmulation.h"
int vnni_emulation_available(void) { return 0; }
void vnni_emulated_matvec_q8(const void *w, const float *x, float *y, size_t r0, size_t r1, size_t cols) {}
void vnni_emulated_matvec_q4(const void *w, const float *x, float *y, size_t r0, size_t r1, size_t cols) {}
void vnni_emulated_matvec_tokens(int q4, const void *w, const float *x, float *y, size_t n, size_t r0, size_t r1,
                                 size_t cols, size_t ldy) {}
void vnni_emulated_matmul_int8(int q4, const void *w, const void *tokens, float *y, size_t n, size_t r0, size_t r1,
                               size_t cols, size_t ldy) {}
#endif
