// Batched-product benchmark (not a unit test): single-threaded GFLOP/s of Y = X · Wᵀ for bf16 weights
// (and f16 / q8 / q4 at two shapes), (a) converting the whole matrix to float32 (sk_bf16_to_f32 etc.) +
// OpenBLAS cblas_sgemm vs (b) the fused sk_matmul_*, plus
// the largest relative difference between the two. Build and run from the repository root:
//   cc -O3 -ISources/SeekKernels/include Sources/SeekKernels/*.c Scripts/gemm_bench.c \
//      -lopenblas -lm -o /tmp/gemm_bench && /tmp/gemm_bench [repeats]
// Extra arguments "n rows cols" measure one shape instead of the default list; "int8 [repeats]" only the
// quantized weights with int8 tokens (sk_matmul_qN_int8) against float tokens, and OpenBLAS sgemm.
#include "SeekKernels.h"
#include <cblas.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void openblas_set_num_threads(int);

/// This thread's CPU time: on a shared machine, time spent descheduled does not count against a kernel.
static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static uint64_t state = 1;
static float uniform(void) {  // SplitMix64 -> [-1, 1)
    state += 0x9E3779B97F4A7C15ull;
    uint64_t z = state;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    return (float)((double)(z >> 11) / (double)(1ull << 53) * 2 - 1);
}

enum { BF16, F16, Q8, Q4 };
static const char *format_names[] = {"bf16", "f16", "q8", "q4"};

/// Stored weights of `format` (rows x cols) from random floats.
static void *make_weights(int format, size_t rows, size_t cols, float *wf) {
    for (size_t i = 0; i < rows * cols; i++) wf[i] = uniform() * 0.05f;
    switch (format) {
    case BF16: { uint16_t *w = malloc(rows * cols * 2); sk_f32_to_bf16(wf, w, rows * cols); return w; }
    case F16: {
        uint16_t *w = malloc(rows * cols * 2);
        for (size_t i = 0; i < rows * cols; i++) { _Float16 h = (_Float16)wf[i]; memcpy(w + i, &h, 2); }
        return w;
    }
    case Q8: { void *w = malloc(sk_q8_matrix_bytes(rows, cols)); sk_quantize_q8_rows(wf, w, rows, cols, 0, rows); return w; }
    default: { void *w = malloc(sk_q4_matrix_bytes(rows, cols)); sk_quantize_q4_rows(wf, w, rows, cols, 0, rows); return w; }
    }
}

/// (a) what WeightMatrix.matmul did before: convert the whole block to float32, then sgemm.
static void convert(int format, const void *w, float *wf, size_t rows, size_t cols) {
    switch (format) {
    case BF16: sk_bf16_to_f32(w, wf, rows * cols); return;
    case F16: sk_f16_to_f32(w, wf, rows * cols); return;
    case Q8: sk_dequantize_q8_rows(w, wf, cols, 0, rows); return;
    default: sk_dequantize_q4_rows(w, wf, cols, 0, rows); return;
    }
}

static void fused(int format, const void *w, const float *x, float *y, size_t n, size_t rows, size_t cols) {
    switch (format) {
    case BF16: sk_matmul_bf16(w, x, y, n, 0, rows, cols, rows); return;
    case F16: sk_matmul_f16(w, x, y, n, 0, rows, cols, rows); return;
    case Q8: sk_matmul_q8(w, x, y, n, 0, rows, cols, rows); return;
    default: sk_matmul_q4(w, x, y, n, 0, rows, cols, rows); return;
    }
}

static void run(int format, size_t n, size_t rows, size_t cols, int repeats) {
    float *wf = malloc(rows * cols * 4), *x = malloc(n * cols * 4);
    float *ya = malloc(n * rows * 4), *yb = malloc(n * rows * 4);
    void *w = make_weights(format, rows, cols, wf);
    for (size_t i = 0; i < n * cols; i++) x[i] = uniform();
    double flops = 2.0 * n * rows * cols, best_a = 1e30, best_b = 1e30;
    for (int r = 0; r < repeats; r++) {
        double t = now();
        convert(format, w, wf, rows, cols);
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)n, (int)rows, (int)cols, 1, x, (int)cols, wf,
                    (int)cols, 0, ya, (int)rows);
        t = now() - t;
        if (t < best_a) best_a = t;
        t = now();
        fused(format, w, x, yb, n, rows, cols);
        t = now() - t;
        if (t < best_b) best_b = t;
    }
    double worst = 0, scale = 0;
    for (size_t i = 0; i < n * rows; i++) scale = fmax(scale, fabs(ya[i]));
    for (size_t i = 0; i < n * rows; i++) worst = fmax(worst, fabs(ya[i] - yb[i]) / scale);
    printf("%-4s n=%4zu %4zu x %4zu  convert+sgemm %6.1f GFLOP/s (%7.3f ms)   fused %6.1f GFLOP/s (%7.3f ms)  "
           "speedup %.2fx  max rel diff %.1e\n",
           format_names[format], n, rows, cols, flops / best_a * 1e-9, best_a * 1e3, flops / best_b * 1e-9, best_b * 1e3,
           best_a / best_b, worst);
    free(w); free(wf); free(x); free(ya); free(yb);
}

/// q8 / q4 with int8 tokens: sk_quantize_tokens + sk_matmul_qN_int8 (the prefill path of quantized
/// models) against the fused float-token product, in Gop/s (2 per multiply-add) and as a speedup.
static void run_int8(int format, size_t n, size_t rows, size_t cols, int repeats) {
    float *wf = malloc(rows * cols * 4), *x = malloc(n * cols * 4);
    float *ya = malloc(n * rows * 4), *yb = malloc(n * rows * 4);
    void *w = make_weights(format, rows, cols, wf);
    void *tokens = malloc(sk_quantized_tokens_bytes(n, cols));
    for (size_t i = 0; i < n * cols; i++) x[i] = uniform();
    double flops = 2.0 * n * rows * cols, best_a = 1e30, best_b = 1e30;
    for (int r = 0; r < repeats; r++) {
        double t = now();
        fused(format, w, x, ya, n, rows, cols);
        t = now() - t;
        if (t < best_a) best_a = t;
        t = now();
        sk_quantize_tokens(x, n, cols, 0, n, tokens);
        if (format == Q8) sk_matmul_q8_int8(w, tokens, yb, n, 0, rows, cols, rows);
        else sk_matmul_q4_int8(w, tokens, yb, n, 0, rows, cols, rows);
        t = now() - t;
        if (t < best_b) best_b = t;
    }
    double worst = 0, scale = 0;
    for (size_t i = 0; i < n * rows; i++) scale = fmax(scale, fabs(ya[i]));
    for (size_t i = 0; i < n * rows; i++) worst = fmax(worst, fabs(ya[i] - yb[i]) / scale);
    printf("%-4s n=%4zu %4zu x %4zu  float tokens %6.1f GFLOP/s (%7.3f ms)   int8 tokens %6.1f Gop/s (%7.3f ms)  "
           "speedup %.2fx  max rel diff %.1e\n",
           format_names[format], n, rows, cols, flops / best_a * 1e-9, best_a * 1e3, flops / best_b * 1e-9, best_b * 1e3,
           best_a / best_b, worst);
    free(w); free(wf); free(x); free(ya); free(yb); free(tokens);
}

/// OpenBLAS sgemm on float32 weights (no conversion): this core's practical float32 rate.
static void run_sgemm(size_t n, size_t rows, size_t cols, int repeats) {
    float *w = malloc(rows * cols * 4), *x = malloc(n * cols * 4), *y = malloc(n * rows * 4);
    for (size_t i = 0; i < rows * cols; i++) w[i] = uniform();
    for (size_t i = 0; i < n * cols; i++) x[i] = uniform();
    double best = 1e30;
    for (int r = 0; r < repeats; r++) {
        double t = now();
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)n, (int)rows, (int)cols, 1, x, (int)cols, w,
                    (int)cols, 0, y, (int)rows);
        t = now() - t;
        if (t < best) best = t;
    }
    printf("f32  n=%4zu %4zu x %4zu  OpenBLAS sgemm %6.1f GFLOP/s\n", n, rows, cols, 2.0 * n * rows * cols / best * 1e-9);
    free(w); free(x); free(y);
}

int main(int argc, char **argv) {
    openblas_set_num_threads(1);
    int repeats = argc > 1 ? atoi(argv[1]) : 5;
    if (argc > 1 && strcmp(argv[1], "int8") == 0) {  // gemm_bench int8 [repeats]: the quantized paths only
        repeats = argc > 2 ? atoi(argv[2]) : 5;
        printf("SIMD level: %s, best of %d\n", sk_simd_name(), repeats);
        if (argc > 5) {  // gemm_bench int8 repeats n rows cols
            for (int format = Q8; format <= Q4; format++)
                run_int8(format, (size_t)atol(argv[3]), (size_t)atol(argv[4]), (size_t)atol(argv[5]), repeats);
            return 0;
        }
        run_sgemm(512, 1408, 2048, repeats);
        for (int format = Q8; format <= Q4; format++) {
            run_int8(format, 48, 1408, 2048, repeats);
            run_int8(format, 512, 1408, 2048, repeats);
            run_int8(format, 512, 2048, 1408, repeats);
        }
        return 0;
    }
    printf("SIMD level: %s, best of %d\n", sk_simd_name(), repeats);
    if (argc > 4) {
        run(BF16, (size_t)atol(argv[2]), (size_t)atol(argv[3]), (size_t)atol(argv[4]), repeats);
        return 0;
    }
    size_t shapes[][3] = {{512, 1408, 2048}, {48, 1408, 2048}, {16, 2048, 1408}, {512, 3072, 2048},
                          {2, 1408, 2048}, {4, 1408, 2048}, {8, 1408, 2048}, {24, 1408, 2048},
                          {96, 1408, 2048}, {192, 1408, 2048}, {256, 2048, 1408}};
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++)
        run(BF16, shapes[i][0], shapes[i][1], shapes[i][2], repeats);
    for (int format = F16; format <= Q4; format++) {
        run(format, 48, 1408, 2048, repeats);
        run(format, 512, 1408, 2048, repeats);
    }
    run_sgemm(512, 1408, 2048, repeats);
    for (int format = Q8; format <= Q4; format++) {
        run_int8(format, 48, 1408, 2048, repeats);
        run_int8(format, 512, 1408, 2048, repeats);
    }
    return 0;
}
