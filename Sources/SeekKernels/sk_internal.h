// Shared by the kernel files only: the dispatch level and the per-level implementations.
#ifndef SK_INTERNAL_H
#define SK_INTERNAL_H

#include "SeekKernels.h"
#include <string.h>

/// Target attributes: the package compiles without -march, so each SIMD function names its own ISA.
#define SK_TARGET_AVX2 __attribute__((target("avx2,fma,f16c")))
#define SK_TARGET_AVX512 \
    __attribute__((target("avx2,fma,f16c,avx512f,avx512bw,avx512vl,avx512vnni")))

int sk_level(void);

static inline float sk_bf16_bits_to_f32(uint16_t h) {
    uint32_t bits = (uint32_t)h << 16;
    float f;
    memcpy(&f, &bits, 4);
    return f;
}

/// Exact f16 → f32 by bit manipulation: without -mf16c a `_Float16` cast becomes a libgcc call per
/// element, which dominated quantizing and dequantizing.
static inline float sk_f16_bits_to_f32(uint16_t h) {
    uint32_t sign = (uint32_t)(h & 0x8000u) << 16;
    uint32_t exponent = (h >> 10) & 0x1fu, mantissa = h & 0x3ffu;
    uint32_t bits;
    if (exponent == 0) {
        float magnitude = (float)mantissa * 0x1p-24f;  // zero or subnormal: exact in float32
        memcpy(&bits, &magnitude, 4);
        bits |= sign;
    } else if (exponent == 31) {
        bits = sign | 0x7f800000u | (mantissa << 13);   // Inf / NaN (payload kept)
    } else {
        bits = sign | ((exponent + 112) << 23) | (mantissa << 13);
    }
    float f;
    memcpy(&f, &bits, 4);
    return f;
}

// Activation vector quantized to int8 blocks of 32 for the quantized matrix-vector products.
typedef struct {
    int8_t *q;        // nblocks * 32 values, zero-padded past cols
    float *scale;     // nblocks scales
    int32_t *sum;     // nblocks sums of q (q4 subtracts 8 * sum once per block instead of 8 per weight)
    size_t nblocks;
} sk_qact;

void sk_quantize_activation(const float *x, size_t cols, sk_qact *out);
/// One block of n <= 32 values (zero-padded); the SIMD versions reproduce it bit for bit (qblock.c).
void sk_quantize_activation_block(const float *v, size_t n, int8_t *q, float *scale);
void sk_avx2_quantize_activation(const float *x, size_t cols, sk_qact *out);
/// One weight block of 32 floats: returns the f16 scale bits and writes the 32 integers (q8: -127..127
/// as bytes; q4: nibbles 0..15, one per byte), exactly as quant.c's portable blocks.
uint16_t sk_avx2_quantize_q8_block(const float *v, uint8_t *q);
uint16_t sk_avx2_quantize_q4_block(const float *v, uint8_t *q);

// Per-level implementations (same contracts as the public functions).
void sk_avx2_f16_to_f32(const uint16_t *src, float *dst, size_t n);
void sk_avx512_f16_to_f32(const uint16_t *src, float *dst, size_t n);

float sk_avx2_dot_f32(const float *a, const float *b, size_t n);
float sk_avx512_dot_f32(const float *a, const float *b, size_t n);

void sk_portable_matvec_f32(const float *w, const float *x, float *y, size_t r0, size_t r1, size_t cols);
void sk_portable_matvec_bf16(const uint16_t *w, const float *x, float *y, size_t r0, size_t r1, size_t cols);
void sk_portable_matvec_f16(const uint16_t *w, const float *x, float *y, size_t r0, size_t r1, size_t cols);
void sk_avx2_matvec_f32(const float *w, const float *x, float *y, size_t r0, size_t r1, size_t cols);
void sk_avx2_matvec_bf16(const uint16_t *w, const float *x, float *y, size_t r0, size_t r1, size_t cols);
void sk_avx2_matvec_f16(const uint16_t *w, const float *x, float *y, size_t r0, size_t r1, size_t cols);
void sk_avx512_matvec_f32(const float *w, const float *x, float *y, size_t r0, size_t r1, size_t cols);
void sk_avx512_matvec_bf16(const uint16_t *w, const float *x, float *y, size_t r0, size_t r1, size_t cols);
void sk_avx512_matvec_f16(const uint16_t *w, const float *x, float *y, size_t r0, size_t r1, size_t cols);

// Interleaved quantized matrices (see SeekKernels.h): the first byte of group g's block b, where
// `group_bytes` = nblocks * 8 * block_bytes is the distance between groups.
static inline const uint8_t *sk_qgroup_block(const void *w, size_t group_bytes, size_t block_bytes, size_t g,
                                             size_t b) {
    return (const uint8_t *)w + g * group_bytes + b * SK_QROWS * block_bytes;
}
/// Byte of row j's weight at column i (< 32) within a group-block: q8 holds it whole; q4 in the low
/// nibble for i < 16 and the high nibble for i >= 16.
static inline size_t sk_q8_offset(size_t j, size_t i) { return 16 + (i / 4) * 32 + j * 4 + i % 4; }
static inline size_t sk_q4_offset(size_t j, size_t i) { return 16 + ((i % 16) / 4) * 32 + j * 4 + i % 4; }

// Quantized rows times a quantized activation: y[r] = (or +=, when accumulate) the row's dot product over
// x->nblocks blocks, for r in [r0, r1). `w` points at block 0 of the columns covered, `group_bytes` apart.
typedef void (*sk_qdot_rows_fn)(const uint8_t *w, size_t group_bytes, const sk_qact *x, float *y,
                                size_t r0, size_t r1, int accumulate);
void sk_portable_q8_rows(const uint8_t *w, size_t group_bytes, const sk_qact *x, float *y, size_t r0, size_t r1, int acc);
void sk_portable_q4_rows(const uint8_t *w, size_t group_bytes, const sk_qact *x, float *y, size_t r0, size_t r1, int acc);
void sk_avx2_q8_rows(const uint8_t *w, size_t group_bytes, const sk_qact *x, float *y, size_t r0, size_t r1, int acc);
void sk_avx2_q4_rows(const uint8_t *w, size_t group_bytes, const sk_qact *x, float *y, size_t r0, size_t r1, int acc);
void sk_avx512_q8_rows(const uint8_t *w, size_t group_bytes, const sk_qact *x, float *y, size_t r0, size_t r1, int acc);
void sk_avx512_q4_rows(const uint8_t *w, size_t group_bytes, const sk_qact *x, float *y, size_t r0, size_t r1, int acc);

// The same for n <= 8 tokens at once, each weight block loaded once for all of them; per token the
// one-token kernels' exact results. The tokens' activations (a chunk of at most SK_TOKENS_CHUNK columns)
// sit at fixed strides, so the kernels address every token from one pointer. Token t's rows: y + t * ldy.
enum { SK_TOKENS_MAX = 8, SK_TOKENS_CHUNK = 8192 };
typedef struct {
    int8_t q[SK_TOKENS_MAX][SK_TOKENS_CHUNK] __attribute__((aligned(64)));
    float scale[SK_TOKENS_MAX][SK_TOKENS_CHUNK / SK_QBLOCK];
    int32_t sum[SK_TOKENS_MAX][SK_TOKENS_CHUNK / SK_QBLOCK];
    size_t nblocks;
} sk_qact_tokens;
typedef void (*sk_qdot_token_rows_fn)(const uint8_t *w, size_t group_bytes, const sk_qact_tokens *x, size_t n,
                                      float *y, size_t ldy, size_t r0, size_t r1, int accumulate);
void sk_avx2_q8_token_rows(const uint8_t *w, size_t group_bytes, const sk_qact_tokens *x, size_t n, float *y,
                           size_t ldy, size_t r0, size_t r1, int acc);
void sk_avx2_q4_token_rows(const uint8_t *w, size_t group_bytes, const sk_qact_tokens *x, size_t n, float *y,
                           size_t ldy, size_t r0, size_t r1, int acc);
void sk_avx512_q8_token_rows(const uint8_t *w, size_t group_bytes, const sk_qact_tokens *x, size_t n, float *y,
                             size_t ldy, size_t r0, size_t r1, int acc);
void sk_avx512_q4_token_rows(const uint8_t *w, size_t group_bytes, const sk_qact_tokens *x, size_t n, float *y,
                             size_t ldy, size_t r0, size_t r1, int acc);

double sk_avx2_sum_f32(const float *p, size_t n);
double sk_avx512_sum_f32(const float *p, size_t n);

// Decode attention (attention_decode*.c), as sk_attention_decode, for qdim and vdim up to the limit
// (the packed queries and sums live on the stack).
enum { SK_DECODE_MAX_DIM = 1024 };
void sk_avx2_attention_decode(const float *q, size_t heads, size_t qdim, const float *cache, size_t ldc, size_t j0,
                              size_t j1, size_t vdim, float scale, float *m, float *l, float *acc);
void sk_avx512_attention_decode(const float *q, size_t heads, size_t qdim, const float *cache, size_t ldc,
                                size_t j0, size_t j1, size_t vdim, float scale, float *m, float *l, float *acc);
/// The same over a bf16 cache on AMX tiles (attention_decode_amx.c), when sk_amx_enabled() and qdim and
/// vdim are multiples of 32.
void sk_amx_attention_decode_bf16(const float *q, size_t heads, size_t qdim, const uint16_t *cache, size_t ldc,
                                  size_t j0, size_t j1, size_t vdim, float scale, float *m, float *l, float *acc);

// Batched products (gemm*.c): weight formats, the K block (a multiple of 32, so quantized blocks never
// straddle two), the row-chunk converter, and the per-level kernels.
enum { SK_GEMM_F32, SK_GEMM_BF16, SK_GEMM_F16, SK_GEMM_Q8, SK_GEMM_Q4 };
enum { SK_GEMM_KC = 256 };
/// Weights [k0, k0 + kc) of one row as float32 (weight_rows.c); for q8/q4, k0 is a multiple of 32.
void sk_gemm_row_chunk_f32(int format, const void *w, size_t row, size_t cols, size_t k0, size_t kc, float *dst);
/// The quantized case of sk_gemm_row_chunk_f32 (q4: nonzero), d * q as sk_dequantize_qN_rows (qblock.c).
void sk_dequantize_row_chunk(int q4, const void *w, size_t row, size_t cols, size_t k0, size_t kc, float *dst);
/// The loop over 64-row blocks, 256-column chunks and token tiles that both SIMD levels share
/// (gemm_avx2.c): packs 16-row float32 panels ([k][16]), then calls tile(mt, ...) for tiles of at most
/// `max_tile` tokens: y[t * ldy + i] (=, or += when accumulate) Σ_k panel[k * 16 + i] * x[t * ldx + k]
/// for t < mt and i < nr.
typedef void (*sk_gemm_tile_fn)(size_t mt, size_t kc, const float *x, size_t ldx, const float *panel, float *y,
                                size_t ldy, size_t nr, int accumulate);
void sk_gemm_driver(int format, sk_gemm_tile_fn tile, size_t max_tile, const void *w, const float *x, float *y,
                    size_t n, size_t r0, size_t r1, size_t cols, size_t ldy);
void sk_avx2_matmul(int format, const void *w, const float *x, float *y, size_t n, size_t r0, size_t r1,
                    size_t cols, size_t ldy);
void sk_avx512_matmul(int format, const void *w, const float *x, float *y, size_t n, size_t r0, size_t r1,
                      size_t cols, size_t ldy);


/// *slot, computed by detect() on first use (-1 until then). Racing first callers compute and store
/// the same value, so no lock is needed.
static inline int sk_detect_once(int *slot, int (*detect)(void)) {
    int value = __atomic_load_n(slot, __ATOMIC_RELAXED);
    if (value < 0) {
        value = detect();
        __atomic_store_n(slot, value, __ATOMIC_RELAXED);
    }
    return value;
}

// Batched products with int8-quantized tokens (qgemm*.c). A buffer from sk_quantize_tokens, viewed:
// token t's block b is q[(t * nblocks + b) * 32 ...], scale[t * nblocks + b], sum[t * nblocks + b].
typedef struct {
    const int8_t *q;
    const float *scale;
    const int32_t *sum;
    size_t nblocks;
} sk_qtokens;
sk_qtokens sk_qtokens_view(const void *buffer, size_t n, size_t cols);

// The SIMD kernels repack 16 rows (two 8-row groups) x SK_QPANEL_BLOCKS blocks at a time into an integer
// panel: per block, the 16 rows' float32 scales (64 bytes), then 8 chunks of 64 bytes, chunk k holding
// columns 4k..4k+3 of rows 0-7 (4 bytes per row, as the stored layout) then of rows 8-15. The bytes'
// encoding suits each kernel's multiply-add: AVX2 takes q4's nibbles (w + 8) for vpmaddubsw, and q8
// widened to int16 for vpmaddwd (SK_PANEL_WIDE16: per block the scales, then per chunk k 128 bytes: rows
// 0-7's column pairs (4k, 4k+1) and (4k+2, 4k+3) as int16 pairs, then rows 8-15's; half as many blocks
// per panel, so the panels take the same room); vpdpbusd takes unsigned bytes, q8 + 128 and the
// nibbles; AMX's TDPBSSD takes both signed.
enum { SK_PANEL_AVX2 = 0, SK_PANEL_UNSIGNED = 1, SK_PANEL_SIGNED = 2, SK_PANEL_WIDE16 = 3 };
enum { SK_QPANEL_ROWS = 16, SK_QPANEL_BLOCK_BYTES = 64 + 8 * 64, SK_QPANEL_BLOCKS = 32 };
enum { SK_WIDE_PANEL_BLOCK_BYTES = 64 + 8 * 128, SK_WIDE_PANEL_BLOCKS = 16, SK_WIDE_TILE = 4 };
/// Packs groups g and g + 1 (only g when !two_groups: the second half is zeros), blocks [b0, b0 + nbk).
void sk_avx2_pack_int8_panel(int q4, int encoding, const void *w, size_t nblocks, size_t g, int two_groups,
                             size_t b0, size_t nbk, uint8_t *panel);
/// The loop over row blocks, K chunks and token tiles that both SIMD levels share (qgemm_avx2.c): packs
/// panels in `encoding` (SK_PANEL_*), then calls tile(mt, ...) for tiles of at most `max_tile` tokens.
/// For SK_PANEL_WIDE16 the tile's tokens come widened to int16 (`xq` points at int16 values, token t's
/// block b at (t * SK_WIDE_PANEL_BLOCKS + b) * 32), at most SK_WIDE_TILE of them.
typedef void (*sk_int8_tile_fn)(size_t mt, int q4, const uint8_t *panel, size_t nbk, const int8_t *xq,
                                const float *xd, const int32_t *xs, size_t nblocks, float *y, size_t ldy,
                                size_t lo, size_t hi, int accumulate);
void sk_int8_matmul_driver(int q4, int encoding, sk_int8_tile_fn tile, size_t max_tile, const void *w,
                           const sk_qtokens *x, float *y, size_t n, size_t r0, size_t r1, size_t ldy);
void sk_avx2_matmul_int8(int q4, const void *w, const sk_qtokens *x, float *y, size_t n, size_t r0, size_t r1,
                         size_t ldy);
void sk_avx512_matmul_int8(int q4, const void *w, const sk_qtokens *x, float *y, size_t n, size_t r0, size_t r1,
                           size_t ldy);
/// The same products on AMX tiles (qgemm_amx.c), when sk_amx_enabled(): the AVX-512 kernel's bits.
#if defined(__x86_64__)
#include <immintrin.h>
/// One token's results for a 16-row panel (AVX-512 and AMX int8 tiles) into y (=, or += when
/// accumulate), only rows [lo, hi).
SK_TARGET_AVX512 static inline void sk_store_panel_row(float *yt, __m512 acc, size_t lo, size_t hi, int accumulate) {
    if (lo == 0 && hi == SK_QPANEL_ROWS) {
        _mm512_storeu_ps(yt, accumulate ? _mm512_add_ps(acc, _mm512_loadu_ps(yt)) : acc);
        return;
    }
    float out[SK_QPANEL_ROWS] __attribute__((aligned(64)));
    _mm512_store_ps(out, acc);
    for (size_t i = lo; i < hi; i++) yt[i] = accumulate ? yt[i] + out[i] : out[i];
}
#endif
void sk_amx_matmul_int8(int q4, const void *w, const sk_qtokens *x, float *y, size_t n, size_t r0, size_t r1,
                        size_t ldy);

#endif
