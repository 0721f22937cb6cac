// Quantized block formats q8 (llama.cpp Q8_0 layout) and q4 (Q4_0 layout): quantizing, dequantizing,
// the int8 activation blocks, the portable dot products, and the dispatch. See SeekKernels.h.
#include "sk_internal.h"
#include <math.h>

/// The f16 nearest to v whose magnitude is not below |v| (|v| within f16's range): a scale rounded this
/// way never makes the block's largest value clamp, so every error stays within half a step.
static inline uint16_t f16_scale_bits(float v) {
    _Float16 h = (_Float16)v;
    uint16_t bits;
    memcpy(&bits, &h, 2);
    if (fabsf(sk_f16_bits_to_f32(bits)) < fabsf(v) && (bits & 0x7fff) < 0x7bff) bits++;  // next magnitude up, same sign
    return bits;
}

static inline size_t block_count(size_t cols) { return (cols + SK_QBLOCK - 1) / SK_QBLOCK; }
static inline size_t group_count(size_t rows) { return (rows + SK_QROWS - 1) / SK_QROWS; }

size_t sk_q8_matrix_bytes(size_t rows, size_t cols) {
    return group_count(rows) * block_count(cols) * SK_QROWS * SK_Q8_BLOCK_BYTES;
}
size_t sk_q4_matrix_bytes(size_t rows, size_t cols) {
    return group_count(rows) * block_count(cols) * SK_QROWS * SK_Q4_BLOCK_BYTES;
}

static inline int clamp_int(int v, int lo, int hi) { return v < lo ? lo : (v > hi ? hi : v); }

// One block of 32 values to its scale bits and its 32 integers (q8: -127..127; q4: nibbles 0..15).
static uint16_t quantize_q8_block(const float *v, uint8_t *q) {
    float amax = 0;
    for (int i = 0; i < SK_QBLOCK; i++) amax = fmaxf(amax, fabsf(v[i]));
    uint16_t dh = f16_scale_bits(amax / 127.0f);
    float d = sk_f16_bits_to_f32(dh);
    for (int i = 0; i < SK_QBLOCK; i++) q[i] = (uint8_t)(int8_t)(d != 0 ? clamp_int((int)rintf(v[i] / d), -127, 127) : 0);
    return dh;
}

static uint16_t quantize_q4_block(const float *v, uint8_t *q) {
    float amax = 0, extreme = 0;  // extreme: the signed value of largest magnitude
    for (int i = 0; i < SK_QBLOCK; i++)
        if (fabsf(v[i]) > amax) { amax = fabsf(v[i]); extreme = v[i]; }
    uint16_t dh = amax > 0 ? f16_scale_bits(extreme / -8.0f) : 0;  // +0, not -0, for an all-zero block
    float d = sk_f16_bits_to_f32(dh);
    for (int i = 0; i < SK_QBLOCK; i++) q[i] = (uint8_t)(d != 0 ? clamp_int((int)rintf(v[i] / d) + 8, 0, 15) : 8);
    return dh;
}

// Writes row j's block (scale bits + 32 integers) into its group-block, 4 bytes at a time.
static void place_q8(uint8_t *gb, size_t j, uint16_t dh, const uint8_t *q) {
    memcpy(gb + 2 * j, &dh, 2);
    for (size_t k = 0; k < 8; k++) memcpy(gb + sk_q8_offset(j, 4 * k), q + 4 * k, 4);
}
static void place_q4(uint8_t *gb, size_t j, uint16_t dh, const uint8_t *q) {
    memcpy(gb + 2 * j, &dh, 2);
    for (size_t k = 0; k < 4; k++) {
        uint8_t packed[4];
        for (size_t t = 0; t < 4; t++) packed[t] = (uint8_t)(q[4 * k + t] | (q[16 + 4 * k + t] << 4));
        memcpy(gb + sk_q4_offset(j, 4 * k), packed, 4);
    }
}

// Quantizes rows [r0, r1) block by block through a zero-padded 32-float buffer; LOAD(v) converts one
// stored value. Padding rows of the last group are zero (scale 0, q 0; q4 nibbles 8).
#define SK_QUANTIZE_ROWS(SRC_T, LOAD, QUANTIZE, PLACE, BLOCK_BYTES)                                \
    size_t nb = block_count(cols), group_bytes = nb * SK_QROWS * BLOCK_BYTES;                      \
    uint16_t (*quantize)(const float *, uint8_t *) = simd_block(QUANTIZE);                      \
    for (size_t r = r0; r < r1; r++) {                                                          \
        const SRC_T *row = src + (r - r0) * cols;                                               \
        for (size_t b = 0; b < nb; b++) {                                                       \
            float buf[SK_QBLOCK] = {0};                                                         \
            uint8_t q[SK_QBLOCK];                                                               \
            size_t n = cols - b * SK_QBLOCK < SK_QBLOCK ? cols - b * SK_QBLOCK : SK_QBLOCK;     \
            for (size_t i = 0; i < n; i++) buf[i] = LOAD(row[b * SK_QBLOCK + i]);               \
            uint16_t dh = quantize(buf, q);                                                     \
            PLACE((uint8_t *)sk_qgroup_block(dst, group_bytes, BLOCK_BYTES, r / SK_QROWS, b), r % SK_QROWS, dh, q); \
        }                                                                                       \
    }                                                                                           \
    if (r1 == rows && rows > r0)                                                                \
        for (size_t r = rows; r % SK_QROWS != 0; r++)                                           \
            for (size_t b = 0; b < nb; b++) {                                                   \
                float zero[SK_QBLOCK] = {0};                                                    \
                uint8_t q[SK_QBLOCK];                                                           \
                uint16_t dh = QUANTIZE(zero, q);                                                \
                PLACE((uint8_t *)sk_qgroup_block(dst, group_bytes, BLOCK_BYTES, r / SK_QROWS, b), r % SK_QROWS, dh, q); \
            }

#define SK_IDENTITY(v) (v)

/// The SIMD twin of a portable block quantizer, when the CPU has one (same bits either way).
typedef uint16_t (*block_quantizer)(const float *, uint8_t *);
static block_quantizer simd_block(block_quantizer portable) {
#if defined(__x86_64__)
    if (sk_level() >= SK_SIMD_AVX2) {
        if (portable == quantize_q8_block) return sk_avx2_quantize_q8_block;
        if (portable == quantize_q4_block) return sk_avx2_quantize_q4_block;
    }
#endif
    return portable;
}

void sk_quantize_q8_rows(const float *src, void *dst, size_t rows, size_t cols, size_t r0, size_t r1) {
    SK_QUANTIZE_ROWS(float, SK_IDENTITY, quantize_q8_block, place_q8, SK_Q8_BLOCK_BYTES)
}
void sk_quantize_q4_rows(const float *src, void *dst, size_t rows, size_t cols, size_t r0, size_t r1) {
    SK_QUANTIZE_ROWS(float, SK_IDENTITY, quantize_q4_block, place_q4, SK_Q4_BLOCK_BYTES)
}
void sk_quantize_q8_rows_bf16(const uint16_t *src, void *dst, size_t rows, size_t cols, size_t r0, size_t r1) {
    SK_QUANTIZE_ROWS(uint16_t, sk_bf16_bits_to_f32, quantize_q8_block, place_q8, SK_Q8_BLOCK_BYTES)
}
void sk_quantize_q4_rows_bf16(const uint16_t *src, void *dst, size_t rows, size_t cols, size_t r0, size_t r1) {
    SK_QUANTIZE_ROWS(uint16_t, sk_bf16_bits_to_f32, quantize_q4_block, place_q4, SK_Q4_BLOCK_BYTES)
}

void sk_dequantize_q8_rows(const void *src, float *dst, size_t cols, size_t r0, size_t r1) {
    for (size_t r = r0; r < r1; r++) sk_dequantize_row_chunk(0, src, r, cols, 0, cols, dst + (r - r0) * cols);
}

void sk_dequantize_q4_rows(const void *src, float *dst, size_t cols, size_t r0, size_t r1) {
    for (size_t r = r0; r < r1; r++) sk_dequantize_row_chunk(1, src, r, cols, 0, cols, dst + (r - r0) * cols);
}

void sk_quantize_activation(const float *x, size_t cols, sk_qact *out) {
    size_t nb = block_count(cols);
    out->nblocks = nb;
#if defined(__x86_64__)
    if (sk_level() >= SK_SIMD_AVX2) {
        sk_avx2_quantize_activation(x, cols, out);
    } else
#endif
    for (size_t b = 0; b < nb; b++) {
        size_t n = cols - b * SK_QBLOCK < SK_QBLOCK ? cols - b * SK_QBLOCK : SK_QBLOCK;
        sk_quantize_activation_block(x + b * SK_QBLOCK, n, out->q + b * SK_QBLOCK, &out->scale[b]);
    }
    for (size_t b = 0; b < nb; b++) {
        int32_t sum = 0;
        for (int i = 0; i < SK_QBLOCK; i++) sum += out->q[b * SK_QBLOCK + i];
        out->sum[b] = sum;
    }
}

// Portable: row by row, block by block, the same integers as the SIMD kernels.
void sk_portable_q8_rows(const uint8_t *w, size_t group_bytes, const sk_qact *x, float *y, size_t r0, size_t r1,
                         int accumulate) {
    for (size_t r = r0; r < r1; r++) {
        size_t j = r % SK_QROWS;
        float sum = 0;
        for (size_t b = 0; b < x->nblocks; b++) {
            const uint8_t *gb = sk_qgroup_block(w, group_bytes, SK_Q8_BLOCK_BYTES, r / SK_QROWS, b);
            const int8_t *xq = x->q + b * SK_QBLOCK;
            uint16_t dh;
            memcpy(&dh, gb + 2 * j, 2);
            int isum = 0;
            for (size_t i = 0; i < SK_QBLOCK; i++) isum += (int8_t)gb[sk_q8_offset(j, i)] * xq[i];
            sum += sk_f16_bits_to_f32(dh) * x->scale[b] * (float)isum;
        }
        y[r] = accumulate ? y[r] + sum : sum;
    }
}

void sk_portable_q4_rows(const uint8_t *w, size_t group_bytes, const sk_qact *x, float *y, size_t r0, size_t r1,
                         int accumulate) {
    for (size_t r = r0; r < r1; r++) {
        size_t j = r % SK_QROWS;
        float sum = 0;
        for (size_t b = 0; b < x->nblocks; b++) {
            const uint8_t *gb = sk_qgroup_block(w, group_bytes, SK_Q4_BLOCK_BYTES, r / SK_QROWS, b);
            const int8_t *xq = x->q + b * SK_QBLOCK;
            uint16_t dh;
            memcpy(&dh, gb + 2 * j, 2);
            int isum = 0;
            for (size_t i = 0; i < SK_QBLOCK / 2; i++) {
                uint8_t byte = gb[sk_q4_offset(j, i)];
                isum += (byte & 15) * xq[i] + (byte >> 4) * xq[i + 16];
            }
            isum -= 8 * x->sum[b];
            sum += sk_f16_bits_to_f32(dh) * x->scale[b] * (float)isum;
        }
        y[r] = accumulate ? y[r] + sum : sum;
    }
}

// The activation is quantized into stack buffers in chunks of this many columns (a multiple of 32),
// so no allocation is needed for any width; wider rows add the chunks' partial sums.
enum { SK_ACT_CHUNK = 16384 };

static void matvec_quantized(sk_qdot_rows_fn rows_fn, size_t block_bytes, const void *w, const float *x,
                             float *y, size_t row_begin, size_t row_end, size_t cols) {
    int8_t q[SK_ACT_CHUNK] __attribute__((aligned(64)));
    float scale[SK_ACT_CHUNK / SK_QBLOCK];
    int32_t sum[SK_ACT_CHUNK / SK_QBLOCK];
    size_t group_bytes = block_count(cols) * SK_QROWS * block_bytes;
    if (cols == 0) {
        for (size_t r = row_begin; r < row_end; r++) y[r] = 0;
        return;
    }
    for (size_t c0 = 0; c0 < cols; c0 += SK_ACT_CHUNK) {
        size_t n = cols - c0 < SK_ACT_CHUNK ? cols - c0 : SK_ACT_CHUNK;
        sk_qact act = {q, scale, sum, 0};
        sk_quantize_activation(x + c0, n, &act);
        const uint8_t *wc = (const uint8_t *)w + (c0 / SK_QBLOCK) * SK_QROWS * block_bytes;
        rows_fn(wc, group_bytes, &act, y, row_begin, row_end, c0 > 0);
    }
}

static sk_qdot_rows_fn q8_rows_fn(void) {
#if defined(__x86_64__)
    switch (sk_level()) {
    case SK_SIMD_AVX512: return sk_avx512_q8_rows;
    case SK_SIMD_AVX2: return sk_avx2_q8_rows;
    }
#endif
    return sk_portable_q8_rows;
}

static sk_qdot_rows_fn q4_rows_fn(void) {
#if defined(__x86_64__)
    switch (sk_level()) {
    case SK_SIMD_AVX512: return sk_avx512_q4_rows;
    case SK_SIMD_AVX2: return sk_avx2_q4_rows;
    }
#endif
    return sk_portable_q4_rows;
}

void sk_matvec_q8(const void *w, const float *x, float *y, size_t row_begin, size_t row_end, size_t cols) {
    matvec_quantized(q8_rows_fn(), SK_Q8_BLOCK_BYTES, w, x, y, row_begin, row_end, cols);
}

void sk_matvec_q4(const void *w, const float *x, float *y, size_t row_begin, size_t row_end, size_t cols) {
    matvec_quantized(q4_rows_fn(), SK_Q4_BLOCK_BYTES, w, x, y, row_begin, row_end, cols);
}

// Several tokens: quantized into a stack buffer (sk_qact_tokens, 80 KB) in chunks of SK_TOKENS_CHUNK
// columns, so no allocation is needed; wider rows add the chunks' partial sums.

static sk_qdot_token_rows_fn q8_token_rows_fn(void) {
#if defined(__x86_64__)
    switch (sk_level()) {
    case SK_SIMD_AVX512: return sk_avx512_q8_token_rows;
    case SK_SIMD_AVX2: return sk_avx2_q8_token_rows;
    }
#endif
    return NULL;
}

static sk_qdot_token_rows_fn q4_token_rows_fn(void) {
#if defined(__x86_64__)
    switch (sk_level()) {
    case SK_SIMD_AVX512: return sk_avx512_q4_token_rows;
    case SK_SIMD_AVX2: return sk_avx2_q4_token_rows;
    }
#endif
    return NULL;
}

static void matvec_tokens(int q4, const void *w, const float *x, float *y, size_t n, size_t row_begin,
                          size_t row_end, size_t cols, size_t ldy) {
    void (*one)(const void *, const float *, float *, size_t, size_t, size_t) = q4 ? sk_matvec_q4 : sk_matvec_q8;
    sk_qdot_token_rows_fn rows_fn = q4 ? q4_token_rows_fn() : q8_token_rows_fn();
    if (n == 0 || row_begin >= row_end) return;
    if (n == 1 || rows_fn == NULL || cols == 0) {  // one token, or no SIMD kernel: token by token
        for (size_t t = 0; t < n; t++) one(w, x + t * cols, y + t * ldy, row_begin, row_end, cols);
        return;
    }
    size_t block_bytes = q4 ? SK_Q4_BLOCK_BYTES : SK_Q8_BLOCK_BYTES;
    size_t group_bytes = block_count(cols) * SK_QROWS * block_bytes;
    sk_qact_tokens act;
    for (size_t t0 = 0; t0 < n; t0 += SK_TOKENS_MAX) {
        size_t m = n - t0 < SK_TOKENS_MAX ? n - t0 : SK_TOKENS_MAX;
        for (size_t c0 = 0; c0 < cols; c0 += SK_TOKENS_CHUNK) {
            size_t width = cols - c0 < SK_TOKENS_CHUNK ? cols - c0 : SK_TOKENS_CHUNK;
            for (size_t t = 0; t < m; t++) {
                sk_qact one = {act.q[t], act.scale[t], act.sum[t], 0};
                sk_quantize_activation(x + (t0 + t) * cols + c0, width, &one);
                act.nblocks = one.nblocks;
            }
            const uint8_t *wc = (const uint8_t *)w + (c0 / SK_QBLOCK) * SK_QROWS * block_bytes;
            rows_fn(wc, group_bytes, &act, m, y + t0 * ldy, ldy, row_begin, row_end, c0 > 0);
        }
    }
}

void sk_matvec_q8_tokens(const void *w, const float *x, float *y, size_t n, size_t row_begin, size_t row_end,
                         size_t cols, size_t ldy) {
    matvec_tokens(0, w, x, y, n, row_begin, row_end, cols, ldy);
}

void sk_matvec_q4_tokens(const void *w, const float *x, float *y, size_t n, size_t row_begin, size_t row_end,
                         size_t cols, size_t ldy) {
    matvec_tokens(1, w, x, y, n, row_begin, row_end, cols, ldy);
}
