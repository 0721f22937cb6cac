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

size_t sk_q8_row_bytes(size_t cols) { return block_count(cols) * SK_Q8_BLOCK_BYTES; }
size_t sk_q4_row_bytes(size_t cols) { return block_count(cols) * SK_Q4_BLOCK_BYTES; }

static inline int clamp_int(int v, int lo, int hi) { return v < lo ? lo : (v > hi ? hi : v); }

static void quantize_q8_block(const float *v, uint8_t *out) {
    float amax = 0;
    for (int i = 0; i < SK_QBLOCK; i++) amax = fmaxf(amax, fabsf(v[i]));
    uint16_t dh = f16_scale_bits(amax / 127.0f);
    float d = sk_f16_bits_to_f32(dh);
    memcpy(out, &dh, 2);
    for (int i = 0; i < SK_QBLOCK; i++) {
        int q = d != 0 ? (int)rintf(v[i] / d) : 0;
        out[2 + i] = (uint8_t)(int8_t)clamp_int(q, -127, 127);
    }
}

static void quantize_q4_block(const float *v, uint8_t *out) {
    float amax = 0, extreme = 0;  // extreme: the signed value of largest magnitude
    for (int i = 0; i < SK_QBLOCK; i++)
        if (fabsf(v[i]) > amax) { amax = fabsf(v[i]); extreme = v[i]; }
    uint16_t dh = f16_scale_bits(extreme / -8.0f);
    float d = sk_f16_bits_to_f32(dh);
    memcpy(out, &dh, 2);
    for (int j = 0; j < SK_QBLOCK / 2; j++) {
        int lo = d != 0 ? clamp_int((int)rintf(v[j] / d) + 8, 0, 15) : 8;
        int hi = d != 0 ? clamp_int((int)rintf(v[j + 16] / d) + 8, 0, 15) : 8;
        out[2 + j] = (uint8_t)(lo | (hi << 4));
    }
}

// Quantizes rows block by block through a zero-padded 32-float buffer; LOAD(i) reads element i of the row.
#define SK_QUANTIZE_ROWS(SRC_T, LOAD, BLOCK_FN, BLOCK_BYTES)                                     \
    const SRC_T *s = src;                                                                       \
    uint8_t *d = dst;                                                                           \
    size_t nb = block_count(cols);                                                              \
    for (size_t r = 0; r < rows; r++) {                                                         \
        const SRC_T *row = s + r * cols;                                                        \
        for (size_t b = 0; b < nb; b++) {                                                       \
            float buf[SK_QBLOCK] = {0};                                                         \
            size_t n = cols - b * SK_QBLOCK < SK_QBLOCK ? cols - b * SK_QBLOCK : SK_QBLOCK;     \
            for (size_t i = 0; i < n; i++) buf[i] = LOAD(row[b * SK_QBLOCK + i]);               \
            BLOCK_FN(buf, d + (r * nb + b) * BLOCK_BYTES);                                      \
        }                                                                                       \
    }

#define SK_IDENTITY(v) (v)

void sk_quantize_q8_rows(const float *src, void *dst, size_t rows, size_t cols) {
    SK_QUANTIZE_ROWS(float, SK_IDENTITY, quantize_q8_block, SK_Q8_BLOCK_BYTES)
}
void sk_quantize_q4_rows(const float *src, void *dst, size_t rows, size_t cols) {
    SK_QUANTIZE_ROWS(float, SK_IDENTITY, quantize_q4_block, SK_Q4_BLOCK_BYTES)
}
void sk_quantize_q8_rows_bf16(const uint16_t *src, void *dst, size_t rows, size_t cols) {
    SK_QUANTIZE_ROWS(uint16_t, sk_bf16_bits_to_f32, quantize_q8_block, SK_Q8_BLOCK_BYTES)
}
void sk_quantize_q4_rows_bf16(const uint16_t *src, void *dst, size_t rows, size_t cols) {
    SK_QUANTIZE_ROWS(uint16_t, sk_bf16_bits_to_f32, quantize_q4_block, SK_Q4_BLOCK_BYTES)
}

// Dequantizing goes block by block: whole blocks through the SIMD level's routine, a partial last block
// element by element. Both compute d * q exactly, so every level gives identical floats.
static void dequantize_q8_block(const uint8_t *block, float *out, size_t n) {
    uint16_t dh;
    memcpy(&dh, block, 2);
    float d = sk_f16_bits_to_f32(dh);
    for (size_t i = 0; i < n; i++) out[i] = d * (float)(int8_t)block[2 + i];
}

static void dequantize_q4_block(const uint8_t *block, float *out, size_t n) {
    uint16_t dh;
    memcpy(&dh, block, 2);
    float d = sk_f16_bits_to_f32(dh);
    for (size_t i = 0; i < n; i++) {
        int nib = i < 16 ? (block[2 + i] & 15) : (block[2 + i - 16] >> 4);
        out[i] = d * (float)(nib - 8);
    }
}

#define SK_DEQUANTIZE_ROWS(BLOCK_BYTES, PORTABLE_BLOCK, AVX2_BLOCK)                               \
    const uint8_t *s = src;                                                                     \
    size_t nb = block_count(cols);                                                              \
    int simd = sk_level() >= SK_SIMD_AVX2;                                                      \
    for (size_t r = 0; r < rows; r++)                                                           \
        for (size_t b = 0; b < nb; b++) {                                                       \
            const uint8_t *block = s + (r * nb + b) * BLOCK_BYTES;                              \
            float *out = dst + r * cols + b * SK_QBLOCK;                                        \
            size_t n = cols - b * SK_QBLOCK < SK_QBLOCK ? cols - b * SK_QBLOCK : SK_QBLOCK;     \
            if (simd && n == SK_QBLOCK) AVX2_BLOCK(block, out);                                 \
            else PORTABLE_BLOCK(block, out, n);                                                 \
        }

void sk_dequantize_q8_rows(const void *src, float *dst, size_t rows, size_t cols) {
    SK_DEQUANTIZE_ROWS(SK_Q8_BLOCK_BYTES, dequantize_q8_block, sk_avx2_dequantize_q8_block)
}

void sk_dequantize_q4_rows(const void *src, float *dst, size_t rows, size_t cols) {
    SK_DEQUANTIZE_ROWS(SK_Q4_BLOCK_BYTES, dequantize_q4_block, sk_avx2_dequantize_q4_block)
}

void sk_quantize_activation_block(const float *v, size_t n, int8_t *q, float *scale) {
    float amax = 0;
    for (size_t i = 0; i < n; i++) amax = fmaxf(amax, fabsf(v[i]));
    float inv = amax > 0 ? 127.0f / amax : 0;
    for (size_t i = 0; i < n; i++) q[i] = (int8_t)clamp_int((int)rintf(v[i] * inv), -127, 127);
    for (size_t i = n; i < SK_QBLOCK; i++) q[i] = 0;
    *scale = amax / 127.0f;
}

void sk_quantize_activation(const float *x, size_t cols, sk_qact *out) {
    size_t nb = block_count(cols);
    out->nblocks = nb;
#if defined(__x86_64__)
    if (sk_level() >= SK_SIMD_AVX2) {
        sk_avx2_quantize_activation(x, cols, out);
        return;
    }
#endif
    for (size_t b = 0; b < nb; b++) {
        size_t n = cols - b * SK_QBLOCK < SK_QBLOCK ? cols - b * SK_QBLOCK : SK_QBLOCK;
        sk_quantize_activation_block(x + b * SK_QBLOCK, n, out->q + b * SK_QBLOCK, &out->scale[b]);
    }
}

void sk_portable_q8_rows(const uint8_t *w, size_t row_bytes, const sk_qact *x, float *y, size_t r0, size_t r1,
                         int accumulate) {
    for (size_t r = r0; r < r1; r++) {
        const uint8_t *row = w + r * row_bytes;
        float sum = 0;
        for (size_t b = 0; b < x->nblocks; b++) {
            const uint8_t *block = row + b * SK_Q8_BLOCK_BYTES;
            const int8_t *xq = x->q + b * SK_QBLOCK;
            uint16_t dh;
            memcpy(&dh, block, 2);
            int isum = 0;
            for (int i = 0; i < SK_QBLOCK; i++) isum += (int8_t)block[2 + i] * xq[i];
            sum += sk_f16_bits_to_f32(dh) * x->scale[b] * (float)isum;
        }
        y[r] = accumulate ? y[r] + sum : sum;
    }
}

void sk_portable_q4_rows(const uint8_t *w, size_t row_bytes, const sk_qact *x, float *y, size_t r0, size_t r1,
                         int accumulate) {
    for (size_t r = r0; r < r1; r++) {
        const uint8_t *row = w + r * row_bytes;
        float sum = 0;
        for (size_t b = 0; b < x->nblocks; b++) {
            const uint8_t *block = row + b * SK_Q4_BLOCK_BYTES;
            const int8_t *xq = x->q + b * SK_QBLOCK;
            uint16_t dh;
            memcpy(&dh, block, 2);
            int isum = 0;
            for (int j = 0; j < 16; j++) {
                isum += ((block[2 + j] & 15) - 8) * xq[j];
                isum += ((block[2 + j] >> 4) - 8) * xq[j + 16];
            }
            sum += sk_f16_bits_to_f32(dh) * x->scale[b] * (float)isum;
        }
        y[r] = accumulate ? y[r] + sum : sum;
    }
}

// The activation is quantized into stack buffers in chunks of this many columns (a multiple of 32),
// so no allocation is needed for any width; wider rows add the chunks' partial sums.
enum { SK_ACT_CHUNK = 8192 };

static void matvec_quantized(sk_qdot_rows_fn rows_fn, size_t block_bytes, const void *w, const float *x,
                             float *y, size_t row_begin, size_t row_end, size_t cols) {
    int8_t q[SK_ACT_CHUNK] __attribute__((aligned(64)));
    float scale[SK_ACT_CHUNK / SK_QBLOCK];
    size_t row_bytes = block_count(cols) * block_bytes;
    if (cols == 0) {
        for (size_t r = row_begin; r < row_end; r++) y[r] = 0;
        return;
    }
    for (size_t c0 = 0; c0 < cols; c0 += SK_ACT_CHUNK) {
        size_t n = cols - c0 < SK_ACT_CHUNK ? cols - c0 : SK_ACT_CHUNK;
        sk_qact act = {q, scale, 0};
        sk_quantize_activation(x + c0, n, &act);
        const uint8_t *wc = (const uint8_t *)w + (c0 / SK_QBLOCK) * block_bytes;
        rows_fn(wc, row_bytes, &act, y, row_begin, row_end, c0 > 0);
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
