// Batched-product benchmark (not a unit test): single-threaded GFLOP/s of Y = X · Wᵀ for bf16 weights,
// (a) sk_bf16_to_f32 of the whole matrix + OpenBLAS cblas_sgemm vs (b) the fused sk_matmul_bf16, plus
// the largest relative difference between the two. Build and run from the repository root:
//   cc -O3 -ISources/SeekKernels/include Sources/SeekKernels/*.c Scripts/gemm_bench.c \
//      -lopenblas -lm -o /tmp/gemm_bench && /tmp/gemm_bench [repeats]
// Extra arguments "n rows cols" measure one shape instead of the default list.
#include "SeekKernels.h"
#include <cblas.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

void openblas_set_num_threads(int);

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
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

static void run(size_t n, size_t rows, size_t cols, int repeats) {
    uint16_t *w = malloc(rows * cols * 2);
    float *wf = malloc(rows * cols * 4), *x = malloc(n * cols * 4);
    float *ya = malloc(n * rows * 4), *yb = malloc(n * rows * 4);
    for (size_t i = 0; i < rows * cols; i++) wf[i] = uniform() * 0.05f;
    sk_f32_to_bf16(wf, w, rows * cols);
    for (size_t i = 0; i < n * cols; i++) x[i] = uniform();
    double flops = 2.0 * n * rows * cols, best_a = 1e30, best_b = 1e30;
    for (int r = 0; r < repeats; r++) {
        double t = now();
        sk_bf16_to_f32(w, wf, rows * cols);
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)n, (int)rows, (int)cols, 1, x, (int)cols, wf,
                    (int)cols, 0, ya, (int)rows);
        t = now() - t;
        if (t < best_a) best_a = t;
        t = now();
        sk_matmul_bf16(w, x, yb, n, 0, rows, cols, rows);
        t = now() - t;
        if (t < best_b) best_b = t;
    }
    double worst = 0, scale = 0;
    for (size_t i = 0; i < n * rows; i++) scale = fmax(scale, fabs(ya[i]));
    for (size_t i = 0; i < n * rows; i++) worst = fmax(worst, fabs(ya[i] - yb[i]) / scale);
    printf("n=%4zu %4zu x %4zu  convert+sgemm %6.1f GFLOP/s (%7.3f ms)   fused %6.1f GFLOP/s (%7.3f ms)  "
           "speedup %.2fx  max rel diff %.1e\n",
           n, rows, cols, flops / best_a * 1e-9, best_a * 1e3, flops / best_b * 1e-9, best_b * 1e3,
           best_a / best_b, worst);
    free(w); free(wf); free(x); free(ya); free(yb);
}

int main(int argc, char **argv) {
    openblas_set_num_threads(1);
    int repeats = argc > 1 ? atoi(argv[1]) : 5;
    printf("SIMD level: %s, best of %d\n", sk_simd_name(), repeats);
    if (argc > 4) {
        run((size_t)atol(argv[2]), (size_t)atol(argv[3]), (size_t)atol(argv[4]), repeats);
        return 0;
    }
    size_t shapes[][3] = {{512, 1408, 2048}, {48, 1408, 2048}, {16, 2048, 1408}, {512, 3072, 2048},
                          {24, 1408, 2048}, {96, 1408, 2048}, {192, 1408, 2048}, {256, 2048, 1408}};
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) run(shapes[i][0], shapes[i][1], shapes[i][2], repeats);
    return 0;
}
