// SeekKernels: pure functions over buffers (no model types, no allocation), plus the worker threads
// that run them in parallel (sk_parallel_run).
// Matrices are row-major, `rows x cols`, in their stored dtype; a matrix-vector product covers the
// output rows [row_begin, row_end) so callers can split the rows across threads.
//
// Every kernel has a portable C version and SIMD versions (AVX2+FMA+F16C, AVX-512 with VNNI) chosen
// once at run time from the CPU's features. The unquantized kernels do exact float32 math on exactly
// converted weights; SIMD and portable results differ only in the order of the float32 additions.
#ifndef SEEK_KERNELS_H
#define SEEK_KERNELS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

// --- SIMD dispatch -------------------------------------------------------------------------------
/// Instruction-set levels, in increasing order.
enum {
    SK_SIMD_PORTABLE = 0, ///< plain C (the compiler may still vectorise it with SSE2)
    SK_SIMD_AVX2 = 1,     ///< AVX2 + FMA + F16C
    SK_SIMD_AVX512 = 2,   ///< AVX-512 F/BW/VL/VNNI (plus everything in AVX2)
};
/// The best level this CPU supports.
int sk_simd_level_supported(void);
/// The level the kernels use now: the supported one, unless lowered by sk_set_simd_level or, at first
/// use, by the environment variable SEEK_SIMD=portable|avx2.
int sk_simd_level(void);
/// Uses `level` (clamped to [portable, supported]) from now on; for tests and benchmarks. Returns the
/// level in effect. Not meant to be changed while other threads run kernels.
int sk_set_simd_level(int level);
/// A short name of the level in use, e.g. "avx512-vnni", "avx2", "portable".
const char *sk_simd_name(void);

// --- element conversions -------------------------------------------------------------------------
void sk_bf16_to_f32(const uint16_t *src, float *dst, size_t n);
void sk_f16_to_f32(const uint16_t *src, float *dst, size_t n);
/// Round to nearest even, as torch does.
void sk_f32_to_bf16(const float *src, uint16_t *dst, size_t n);

// --- dot products and matrix-vector products (float32 accumulation) ----------------------------------
float sk_dot_f32(const float *a, const float *b, size_t n);

/// y[r] = sum_c W[r, c] * x[c] for r in [row_begin, row_end). y is indexed by absolute row.
void sk_matvec_f32(const float *w, const float *x, float *y, size_t row_begin, size_t row_end, size_t cols);
void sk_matvec_bf16(const uint16_t *w, const float *x, float *y, size_t row_begin, size_t row_end, size_t cols);
void sk_matvec_f16(const uint16_t *w, const float *x, float *y, size_t row_begin, size_t row_end, size_t cols);

// --- quantized block formats ------------------------------------------------------------------------
// Weights are quantized in blocks of 32 consecutive weights of a row (a row of `cols` weights has
// ceil(cols / 32) blocks, the last one zero-padded, so any `cols` works), with the block formats of
// llama.cpp's Q8_0 and Q4_0:
//   q8: f16 scale d and 32 int8 q;      weight i = d * q[i]
//   q4: f16 scale d and 32 nibbles;     weight i = d * (nib[i] - 8)
// Quantizing rounds to nearest; the scale is rounded to the f16 of next larger magnitude (relative step
// 2^-10; absolute 2^-24 below 6.1e-5, where f16 is subnormal), so no value clamps by accident.
// q8: d = amax / 127 (amax = largest |w| in the block), |error| <= d / 2 ~ amax / 254.
// q4: d = -m / 8 where m is the block's value of largest magnitude (so m maps to -8); |error| <= |d| / 2
// ~ amax / 16, except for values within |d| of -m, which clamp to +7 (|error| <= |d| ~ amax / 8).
//
// Matrix layout: rows are interleaved in groups of SK_QROWS = 8 (the last group padded with zero rows),
// so that one 32-byte load holds 4 consecutive weights of each of 8 rows and a single integer
// multiply-add yields partial sums for 8 rows at once (no per-row horizontal sums, one scale conversion
// per 8 rows). Group g, block b starts at byte (g * nblocks + b) * 8 * block_bytes and holds:
//   bytes 0..15   the 8 rows' f16 scales (row j at 2j)
//   q8: bytes 16 + 32k + 4j + t (k < 8, t < 4) = q of row j, column 4k + t
//   q4: bytes 16 + 32k + 4j + t (k < 4, t < 4): low nibble = row j, column 4k + t; high nibble = row j,
//       column 16 + 4k + t
// A group-block is 272 (q8) or 144 (q4) bytes: the same 34 / 18 bytes per 32 weights as Q8_0 / Q4_0.
//
// The quantized matrix-vector products quantize x once per call to int8 blocks of 32 (scale = block
// amax / 127, round to nearest even) and accumulate integer dot products per block, as llama.cpp does;
// the portable and SIMD paths compute the same integers and differ only in float32 summation order.
// The int8 activation adds a relative error of about 1 / 254 of each 32-block's largest |x| per element
// (typically ~1e-3 relative on a dot product), on top of the weight quantization error.
enum { SK_QBLOCK = 32, SK_QROWS = 8, SK_Q8_BLOCK_BYTES = 34, SK_Q4_BLOCK_BYTES = 18 };

/// Bytes of a quantized `rows x cols` matrix: ceil(rows / 8) * ceil(cols / 32) * 8 * block bytes.
size_t sk_q8_matrix_bytes(size_t rows, size_t cols);
size_t sk_q4_matrix_bytes(size_t rows, size_t cols);
/// Quantizes rows [r0, r1) of a `rows x cols` matrix: `src` holds those rows ((r1 - r0) * cols values,
/// row r0 first) and `dst` is the whole quantized matrix. Threads may fill disjoint row ranges of one
/// matrix at the same time. The zero rows padding the last group are written with row `rows - 1`.
void sk_quantize_q8_rows(const float *src, void *dst, size_t rows, size_t cols, size_t r0, size_t r1);
void sk_quantize_q4_rows(const float *src, void *dst, size_t rows, size_t cols, size_t r0, size_t r1);
/// The same from bf16 weights (exactly converted first), so a bf16 model quantizes without an f32 copy.
void sk_quantize_q8_rows_bf16(const uint16_t *src, void *dst, size_t rows, size_t cols, size_t r0, size_t r1);
void sk_quantize_q4_rows_bf16(const uint16_t *src, void *dst, size_t rows, size_t cols, size_t r0, size_t r1);
/// Expands rows [r0, r1) of a quantized matrix (`src`: the whole matrix) to (r1 - r0) * cols floats.
void sk_dequantize_q8_rows(const void *src, float *dst, size_t cols, size_t r0, size_t r1);
void sk_dequantize_q4_rows(const void *src, float *dst, size_t cols, size_t r0, size_t r1);
/// y[r] = sum_c W[r, c] * x[c] for r in [row_begin, row_end), W quantized (see above). Ranges that start
/// and end on multiples of 8 (or at the last row) avoid computing a shared group twice.
void sk_matvec_q8(const void *w, const float *x, float *y, size_t row_begin, size_t row_end, size_t cols);
void sk_matvec_q4(const void *w, const float *x, float *y, size_t row_begin, size_t row_end, size_t cols);

/// A few tokens at once (several sequences decoding together): y[t * ldy + r] = sum_c W[r, c] * x[t * cols + c]
/// for tokens t < n and rows r in [row_begin, row_end). Each weight block is loaded once and multiplied
/// with up to 8 tokens while in registers (more run 8 at a time), so the weights cross the memory bus once
/// for all of them. Every token gets exactly sk_matvec_qN's result when cols <= 8192 (the same int8
/// activation, integers and float operations); wider rows are summed in chunks of 8192 columns, which
/// changes only the float summation order. Single-threaded, allocation-free (about 80 KB of stack).
void sk_matvec_q8_tokens(const void *w, const float *x, float *y, size_t n, size_t row_begin, size_t row_end,
                         size_t cols, size_t ldy);
void sk_matvec_q4_tokens(const void *w, const float *x, float *y, size_t n, size_t row_begin, size_t row_end,
                         size_t cols, size_t ldy);

// --- matrix-matrix products (prefill) ----------------------------------------------------------------
/// y[t * ldy + r] = sum_c W[r, c] * x[t * cols + c] for tokens t < n and rows r in [row_begin, row_end):
/// Y = X · Wᵀ with X row-major [n, cols] and Y row-major with row stride ldy (usually the matrix's rows).
/// Exact float32 math on exactly converted (bf16, f16) or dequantized (q8, q4: d * q, as
/// sk_dequantize_qN_rows) weights: x is never rounded or quantized, so SIMD and portable results differ
/// only in the order of the float32 additions. Weights are converted once per call into packed float32
/// panels on the stack (about 80 KB), so the kernels allocate nothing; single-threaded, callers split the
/// rows across threads.
void sk_matmul_f32(const float *w, const float *x, float *y, size_t n, size_t row_begin, size_t row_end,
                   size_t cols, size_t ldy);
void sk_matmul_bf16(const uint16_t *w, const float *x, float *y, size_t n, size_t row_begin, size_t row_end,
                    size_t cols, size_t ldy);
void sk_matmul_f16(const uint16_t *w, const float *x, float *y, size_t n, size_t row_begin, size_t row_end,
                   size_t cols, size_t ldy);
void sk_matmul_q8(const void *w, const float *x, float *y, size_t n, size_t row_begin, size_t row_end,
                  size_t cols, size_t ldy);
void sk_matmul_q4(const void *w, const float *x, float *y, size_t n, size_t row_begin, size_t row_end,
                  size_t cols, size_t ldy);

// --- bf16 weights on AMX tiles (Intel Sapphire Rapids and later; gemm_amx.c) -------------------------
// The tokens stay float32: each value is split exactly into three bf16 parts (x = hi + mid + lo), and
// AMX multiplies the bf16 weights by each part, which is exact, adding in float32. The results are
// sk_matmul_bf16's up to the order of the float32 additions.

/// Whether this CPU and OS allow AMX bf16 tiles (asks Linux for the tile state on first use).
int sk_amx_supported(void);
/// Whether sk_matmul_bf16_amx uses the tiles: supported, the SIMD level is AVX-512, and neither
/// sk_set_amx(0) nor SEEK_AMX=0 (read at first use) turned them off.
int sk_amx_enabled(void);
/// Turns the tiles on or off (for tests and benchmarks); returns sk_amx_enabled().
int sk_set_amx(int on);
/// Bytes of n tokens of `cols` values split for sk_matmul_bf16_amx (0 without x86-64).
size_t sk_bf16x3_tokens_bytes(size_t n, size_t cols);
/// Splits the blocks of 16 tokens [b0, b1) (of (n + 15) / 16) of X[n, cols] into `tokens`
/// (sk_bf16x3_tokens_bytes(n, cols) bytes). Threads may fill disjoint block ranges at once.
void sk_split_tokens_bf16x3(const float *x, size_t n, size_t cols, size_t b0, size_t b1, void *tokens);
/// sk_matmul_bf16 from the split tokens; x itself serves rows past the last whole 16 and CPUs without
/// AMX (then `tokens` is not read). Single-threaded, allocation-free (about 8 KB of stack).
void sk_matmul_bf16_amx(const uint16_t *w, const void *tokens, const float *x, float *y, size_t n, size_t row_begin,
                        size_t row_end, size_t cols, size_t ldy);

/// float32 x float32 on AMX (gemm_amx_f32.c), both sides split into three exact bf16 parts and all nine
/// part products summed: C[i, j] = Σ_c A[row0 + i, c] * B[j, c] for i < m, j < n (C rows ldc apart),
/// float32 products up to the order of the additions. Only when sk_amx_enabled(). A's a_rows rows come
/// from sk_split_rows_bf16x3 (sk_bf16x3_rows_bytes(a_rows, k) bytes; any row0 + m <= a_rows), B from
/// sk_split_tokens_bf16x3 of its n rows of k. Single-threaded, allocation-free.
size_t sk_bf16x3_rows_bytes(size_t m, size_t k);
void sk_split_rows_bf16x3(const float *a, size_t lda, size_t m, size_t k, void *out);
void sk_amx_matmul_f32(const void *a_split, size_t a_rows, size_t row0, size_t m, const void *b_split, size_t n,
                       size_t k, float *c, size_t ldc);

// --- quantized weights times int8 tokens (prefill with q8 / q4 weights) ----------------------------
// The integer path for quantized models: each token is quantized to int8 blocks of 32 exactly as the
// quantized matrix-vector products quantize x (block amax / 127, round to nearest even), and every
// 32-column block is an exact integer dot product scaled by the weight row's and the token's block
// scales (llama.cpp's Q8_0 x Q8_0 scheme). Portable and SIMD results share the integers and differ only
// in float32 summation order. Compared with sk_matmul_q8 / sk_matmul_q4 (float tokens), the token
// rounding adds a relative error of about 1 / 254 of each block's largest |x| per element.

/// Bytes of n tokens of `cols` values quantized for sk_matmul_qN_int8.
size_t sk_quantized_tokens_bytes(size_t n, size_t cols);
/// Quantizes tokens [t0, t1) of X[n, cols] (row-major) into `tokens` (sk_quantized_tokens_bytes(n, cols)
/// bytes, 4-byte aligned, shared by all n tokens: threads may fill disjoint token ranges at once).
void sk_quantize_tokens(const float *x, size_t n, size_t cols, size_t t0, size_t t1, void *tokens);
/// y[t * ldy + r] = sum_c W[r, c] * x[t, c] for t < n and r in [row_begin, row_end), from the
/// quantized tokens. Single-threaded and allocation-free (about 75 KB of stack); callers split the
/// rows, best on multiples of 16.
void sk_matmul_q8_int8(const void *w, const void *tokens, float *y, size_t n, size_t row_begin, size_t row_end,
                       size_t cols, size_t ldy);
void sk_matmul_q4_int8(const void *w, const void *tokens, float *y, size_t n, size_t row_begin, size_t row_end,
                       size_t cols, size_t ldy);

// --- activations and softmax rows (SIMD exp within 2 ulp of libm's expf; below e^-87.3, 0) ------------
/// gate[i] = silu(gate[i]) * up[i] = gate[i] / (1 + e^-gate[i]) * up[i].
void sk_silu_mul_f32(float *gate, const float *up, size_t n);
/// x[i] = e^(x[i] * scale - shift); returns the sum of the new x (a softmax row's numerators and
/// normaliser, with shift = scale * max).
float sk_exp_sum_f32(float *x, size_t n, float scale, float shift);
/// The largest of x[0..<n] (-infinity for n = 0).
float sk_max_f32(const float *x, size_t n);

// --- attention (one query token) -------------------------------------------------------------------
/// Decode attention in one pass with an online softmax, for one query token and every head, over cache
/// rows [j0, j1) (row j at cache + j * ldc): score_hj = scale * (q[h * qdim ..] . row_j[0 ..< qdim]),
/// and the state of each head h is updated as by a softmax over all rows seen so far: m[h] the largest
/// score (start at -infinity), l[h] the sum of exp(score - m[h]) (start at 0), acc[h * vdim + d] the
/// sum of exp(score - m[h]) * row_j[d] for d < vdim (start at 0). Calls over disjoint row ranges (the
/// chunks of a parallel region) merge by rescaling to the larger m, or a call continues the state an
/// earlier range left. Rows are read once, in blocks that stay in L2.
void sk_attention_decode(const float *q, size_t heads, size_t qdim, const float *cache, size_t ldc, size_t j0,
                         size_t j1, size_t vdim, float scale, float *m, float *l, float *acc);
/// The same over a cache of bf16 rows: the result for the rows exactly converted to float32, up to the
/// order of the additions, except that on AMX tiles (qdim a multiple of 32, vdim of 32) the queries and
/// the softmax weights are taken to 16 significant bits (two bf16 parts each): relative errors near 1e-5.
void sk_attention_decode_bf16(const float *q, size_t heads, size_t qdim, const uint16_t *cache, size_t ldc,
                              size_t j0, size_t j1, size_t vdim, float scale, float *m, float *l, float *acc);

// --- threads ------------------------------------------------------------------------------------------
/// One task of a parallel region: fn(context, index).
typedef void (*sk_parallel_fn)(void *context, size_t index);
/// Runs fn(context, i) for every i < count and returns when all are done: index 0 on the calling thread,
/// the others on persistent worker threads (started on first need, then kept). Workers spin briefly
/// between regions, so back-to-back regions cost about a microsecond to start instead of a thread
/// wake-up, and sleep when idle. A call made while another region runs (nested, or from another thread)
/// runs all its tasks on its calling thread.
void sk_parallel_run(sk_parallel_fn fn, void *context, size_t count);
/// One chunk of a dynamically shared region: fn(context, worker, chunk).
typedef void (*sk_chunk_fn)(void *context, size_t worker, size_t chunk);
/// Runs fn(context, w, c) for every chunk c < chunks and returns when all are done, on `workers` tasks of
/// sk_parallel_run that each claim the next unclaimed chunk until none is left. A worker slowed by
/// another program on its core (a busy neighbour on a shared machine, a hybrid CPU's small core) then
/// takes fewer chunks instead of holding up the region, as a fixed equal split would. Which worker runs a
/// chunk varies from run to run, so fn's result must not depend on it.
void sk_parallel_chunks(sk_chunk_fn fn, void *context, size_t workers, size_t chunks);

// --- memory bandwidth probe ----------------------------------------------------------------------------
/// Sum of p[0..<n], read with several independent vector accumulators so that a call on a buffer far
/// larger than the last-level cache runs at the memory's read bandwidth. Float32 partial sums: a probe,
/// not an accurate summation.
double sk_sum_f32(const float *p, size_t n);

#ifdef __cplusplus
}
#endif

#endif
