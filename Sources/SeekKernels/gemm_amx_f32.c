// float32 x float32 products on AMX tiles, for attention's scores (queries x keys) and weighted values
// (probabilities x values), where both sides are activations. Each side is split exactly into three bf16
// parts (as in gemm_amx.c: a = a1 + a2 + a3, b = b1 + b2 + b3), and a · b = Σ ai · bj over all nine pairs:
// every ai · bj is exact in float32 and AMX adds in float32, so these are float32 products up to the
// order of the additions (only parts below 1e-38 are flushed). Nine bf16 tile products still do about
// three times the multiply-adds of 512-bit FMAs per cycle here.
//
// A is split row-major (sk_split_rows_bf16x3): per part, rows of k (padded to 32) bf16, each A tile 16
// rows x 32 columns. B is given as its n rows of k (so C = A · Bᵀ) and split by sk_split_tokens_bf16x3 into
// AMX's B layout. One row tile of C keeps its three A parts in tiles while two column tiles of B pass.
#include "sk_internal.h"

#if defined(__x86_64__)
#include "amx_tiles.h"

#define SK_TARGET_AMX_F32 \
    __attribute__((target("avx2,fma,f16c,avx512f,avx512bw,avx512vl,amx-tile,amx-bf16")))

enum { PARTS = 3, TILE = 16, KSTEP = 32, TILE_BYTES = 1024 };

static size_t padded(size_t v, size_t to) { return (v + to - 1) / to * to; }

size_t sk_bf16x3_rows_bytes(size_t m, size_t k) {
    // 16 rows of slack after the last part: a block of rows may start anywhere (sk_amx_matmul_f32's row0).
    return (PARTS * padded(m, TILE) + TILE) * padded(k, KSTEP) * 2;
}

SK_TARGET_AMX_F32 void sk_split_rows_bf16x3(const float *a, size_t lda, size_t m, size_t k, void *out) {
    size_t mp = padded(m, TILE), kp = padded(k, KSTEP);
    uint16_t *parts[PARTS];
    for (int p = 0; p < PARTS; p++) parts[p] = (uint16_t *)out + p * mp * kp;
    for (size_t i = 0; i < mp; i++) {
        for (size_t c = 0; c < kp; c += 16) {
            __mmask16 valid = i >= m || c >= k ? 0 : k - c >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << (k - c)) - 1);
            __m512i split[PARTS];
            sk_split3(_mm512_maskz_loadu_ps(valid, a + i * lda + c), split);
            for (int p = 0; p < PARTS; p++)
                _mm256_storeu_si256((__m256i *)(parts[p] + i * kp + c), _mm512_cvtepi32_epi16(split[p]));
        }
    }
}

/// C tile (16 x 16 at row i0, column j0) into c: straight when whole, else through a buffer.
#define STORE_C(T, i0, j0)                                                                         \
    do {                                                                                           \
        size_t mi = m - (i0) < TILE ? m - (i0) : TILE, nj = n - (j0) < TILE ? n - (j0) : TILE;        \
        if (mi == TILE && nj == TILE) {                                                            \
            _tile_stored(T, c + (i0) * ldc + (j0), ldc * 4);                                       \
        } else {                                                                                   \
            _tile_stored(T, edge, 64);                                                             \
            for (size_t i = 0; i < mi; i++) memcpy(c + ((i0) + i) * ldc + (j0), edge + i * TILE, nj * 4); \
        }                                                                                          \
    } while (0)

SK_TARGET_AMX_F32 static inline __attribute__((always_inline)) void
row_tile(const int two, const uint8_t *a, size_t a_part, size_t a_row, const uint8_t *b, size_t b_part,
         size_t b_block, size_t steps, size_t i0, size_t jb, float *c, size_t ldc, size_t m, size_t n, float *edge) {
    _tile_zero(0);
    if (two) _tile_zero(1);
    const uint8_t *a0 = a + i0 * a_row;
    const uint8_t *b0 = b + jb * b_block, *b1 = b0 + b_block;
    for (size_t s = 0; s < steps; s++) {
        _tile_loadd(2, a0 + s * 64, a_row);
        _tile_loadd(3, a0 + a_part + s * 64, a_row);
        _tile_loadd(4, a0 + 2 * a_part + s * 64, a_row);
        for (int p = 0; p < PARTS; p++) {
            _tile_loadd(5, b0 + p * b_part + s * TILE_BYTES, 64);
            if (two) _tile_loadd(6, b1 + p * b_part + s * TILE_BYTES, 64);
            _tile_dpbf16ps(0, 2, 5);
            _tile_dpbf16ps(0, 3, 5);
            _tile_dpbf16ps(0, 4, 5);
            if (two) {
                _tile_dpbf16ps(1, 2, 6);
                _tile_dpbf16ps(1, 3, 6);
                _tile_dpbf16ps(1, 4, 6);
            }
        }
    }
    STORE_C(0, i0, jb * TILE);
    if (two) STORE_C(1, i0, (jb + 1) * TILE);
}
#undef STORE_C

SK_TARGET_AMX_F32 void sk_amx_matmul_f32(const void *a_split, size_t a_rows, size_t row0, size_t m, const void *b_split,
                                         size_t n, size_t k, float *c, size_t ldc) {
    if (m == 0 || n == 0) return;
    if (k == 0) {
        for (size_t i = 0; i < m; i++) memset(c + i * ldc, 0, n * 4);
        return;
    }
    size_t kp = padded(k, KSTEP), steps = kp / KSTEP;
    size_t a_row = kp * 2, a_part = padded(a_rows, TILE) * a_row;
    const uint8_t *a = (const uint8_t *)a_split + row0 * a_row;
    size_t b_part = kp / 2 * 64, b_block = PARTS * b_part, blocks = (n + TILE - 1) / TILE;
    float edge[TILE * TILE] __attribute__((aligned(64)));
    sk_amx_configure_square_tiles();  // C in 0-1, A's three parts in 2-4, B's two column tiles in 5-6
    for (size_t i0 = 0; i0 < m; i0 += TILE) {
        size_t jb = 0;
        for (; jb + 1 < blocks; jb += 2)
            row_tile(1, a, a_part, a_row, b_split, b_part, b_block, steps, i0, jb, c, ldc, m, n, edge);
        if (jb < blocks) row_tile(0, a, a_part, a_row, b_split, b_part, b_block, steps, i0, jb, c, ldc, m, n, edge);
    }
    _tile_release();
}

#else
size_t sk_bf16x3_rows_bytes(size_t m, size_t k) { (void)m; (void)k; return 0; }
void sk_split_rows_bf16x3(const float *a, size_t lda, size_t m, size_t k, void *out) {
    (void)a; (void)lda; (void)m; (void)k; (void)out;
}
void sk_amx_matmul_f32(const void *a_split, size_t a_rows, size_t row0, size_t m, const void *b_split, size_t n,
                       size_t k, float *c, size_t ldc) {
    (void)a_split; (void)a_rows; (void)row0; (void)m; (void)b_split; (void)n; (void)k; (void)c; (void)ldc;
}
#endif
