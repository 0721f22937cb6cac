// Kernel benchmark (not a unit test): read bandwidth, matrix-vector GB/s per weight format, and GEMM
// GFLOP/s, with 1 and 2 threads. Build and run from the repository root:
//   clang -O3 -pthread -ISources/SeekKernels/include Sources/SeekKernels/*.c Scripts/kernel_bench.c \
//         -lopenblas -lm -o /tmp/kernel_bench && /tmp/kernel_bench [threads-max]
#include "SeekKernels.h"
#include <cblas.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void openblas_set_num_threads(int);

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static void fill_random(void *p, size_t bytes, uint64_t seed) {
    uint64_t *q = p;
    for (size_t i = 0; i < bytes / 8; i++) {
        seed += 0x9E3779B97F4A7C15ull;
        uint64_t z = seed;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        q[i] = z ^ (z >> 27);
    }
}

// ---- jobs run by each thread over its share ----
typedef struct {
    int kind;  // 0 sum, 1 bf16, 2 q8, 3 q4, 4 f32
    const uint8_t *base;
    size_t matrices, matrix_bytes, rows, cols;
    size_t row_begin, row_end;  // this thread's rows of every matrix (sum: element range)
    const float *x;
    float *y;
    double result;
} job;

static void *run_job(void *arg) {
    job *j = arg;
    if (j->kind == 0) {
        j->result = sk_sum_f32((const float *)j->base + j->row_begin, j->row_end - j->row_begin);
        return NULL;
    }
    for (size_t m = 0; m < j->matrices; m++) {
        const void *w = j->base + m * j->matrix_bytes;
        switch (j->kind) {
        case 1: sk_matvec_bf16(w, j->x, j->y, j->row_begin, j->row_end, j->cols); break;
        case 2: sk_matvec_q8(w, j->x, j->y, j->row_begin, j->row_end, j->cols); break;
        case 3: sk_matvec_q4(w, j->x, j->y, j->row_begin, j->row_end, j->cols); break;
        case 4: sk_matvec_f32(w, j->x, j->y, j->row_begin, j->row_end, j->cols); break;
        }
    }
    return NULL;
}

/// Runs `proto` split over `threads` threads (by rows, or by elements for the sum); returns seconds.
static double run_split(job proto, int threads, size_t total) {
    pthread_t tid[16];
    job jobs[16];
    double t0 = now();
    for (int t = 0; t < threads; t++) {
        jobs[t] = proto;
        jobs[t].row_begin = total * t / threads;
        jobs[t].row_end = total * (t + 1) / threads;
        pthread_create(&tid[t], NULL, run_job, &jobs[t]);
    }
    for (int t = 0; t < threads; t++) pthread_join(tid[t], NULL);
    return now() - t0;
}

static double best_of(int reps, job proto, int threads, size_t total) {
    double best = 1e30;
    for (int r = 0; r < reps; r++) {
        double s = run_split(proto, threads, total);
        if (s < best) best = s;
    }
    return best;
}

int main(int argc, char **argv) {
    int max_threads = argc > 1 ? atoi(argv[1]) : 2;
    printf("SIMD level: %s\n", sk_simd_name());

    // Read bandwidth on a 2 GB buffer.
    size_t n = (size_t)2 << 30;
    float *buf = malloc(n);
    for (size_t i = 0; i < n / 4; i++) buf[i] = 1.0f;
    for (int t = 1; t <= max_threads; t++) {
        job j = {.kind = 0, .base = (const uint8_t *)buf};
        double s = best_of(3, j, t, n / 4);
        printf("read bandwidth, %d thread(s): %.1f GB/s\n", t, n / s / 1e9);
    }
    free(buf);

    // Matrix-vector products over many distinct matrices totalling > 1 GB, so nothing stays in cache.
    size_t rows = 2048, cols = 2048;
    float *x = malloc(cols * 4), *y = malloc(rows * 4);
    for (size_t c = 0; c < cols; c++) x[c] = (float)((c * 7919) % 1000) / 1000.0f - 0.5f;
    struct { const char *name; int kind; size_t matrix_bytes; } formats[] = {
        {"f32", 4, rows * cols * 4}, {"bf16", 1, rows * cols * 2}, {"q8", 2, 0}, {"q4", 3, 0}};
    formats[2].matrix_bytes = sk_q8_matrix_bytes(rows, cols);
    formats[3].matrix_bytes = sk_q4_matrix_bytes(rows, cols);
    for (int f = 0; f < 4; f++) {
        size_t matrix_bytes = formats[f].matrix_bytes;
        size_t matrices = ((size_t)1200 << 20) / matrix_bytes;
        uint8_t *w = malloc(matrices * matrix_bytes);
        fill_random(w, matrices * matrix_bytes, 42);
        if (formats[f].kind == 1 || formats[f].kind == 4) {  // keep values finite and small
            if (formats[f].kind == 1) for (size_t i = 0; i < matrices * matrix_bytes / 2; i++) ((uint16_t *)w)[i] &= 0xBCFF;
            else for (size_t i = 0; i < matrices * matrix_bytes / 4; i++) ((uint32_t *)w)[i] &= 0xBCFFFFFF;
        } else {  // a sane f16 scale for every row of every group-block (8 rows' scales first)
            size_t gb = SK_QROWS * (formats[f].kind == 2 ? SK_Q8_BLOCK_BYTES : SK_Q4_BLOCK_BYTES);
            for (size_t b = 0; b < matrices * matrix_bytes / gb; b++)
                for (int j = 0; j < SK_QROWS; j++) { w[b * gb + 2 * j] = 0x00; w[b * gb + 2 * j + 1] = 0x1C; }
        }
        for (int level = 0; level <= sk_simd_level_supported(); level++) {
            sk_set_simd_level(level);
            for (int t = 1; t <= max_threads; t++) {
                job j = {.kind = formats[f].kind, .base = w, .matrices = matrices, .matrix_bytes = matrix_bytes,
                         .rows = rows, .cols = cols, .x = x, .y = y};
                double s = best_of(3, j, t, rows);
                printf("matvec %-4s %-8s %d thread(s): %5.1f GB/s  (%.2f Gweights/s, %zu matrices %zux%zu)\n",
                       formats[f].name, sk_simd_name(), t, matrices * matrix_bytes / s / 1e9,
                       (double)matrices * rows * cols / s / 1e9, matrices, rows, cols);
            }
        }
        sk_set_simd_level(sk_simd_level_supported());
        free(w);
    }

    // GEMM at a prefill shape: (512 x 2048) . (2048 x 1408).
    {
        int m = 512, k = 2048, nn = 1408;
        float *a = malloc((size_t)m * k * 4), *b = malloc((size_t)k * nn * 4), *c = malloc((size_t)m * nn * 4);
        for (size_t i = 0; i < (size_t)m * k; i++) a[i] = (float)(i % 97) / 97.0f;
        for (size_t i = 0; i < (size_t)k * nn; i++) b[i] = (float)(i % 89) / 89.0f;
        for (int t = 1; t <= max_threads; t++) {
            openblas_set_num_threads(t);
            double best = 1e30;
            for (int r = 0; r < 5; r++) {
                double t0 = now();
                // Y = X . W^T with W stored rows x cols (the engine's layout): B is nn x k, transposed.
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, m, nn, k, 1, a, k, b, k, 0, c, nn);
                double s = now() - t0;
                if (s < best) best = s;
            }
            printf("sgemm (%dx%d).(%dx%d)^T, %d thread(s): %.1f GFLOP/s\n", m, k, nn, k, t,
                   2.0 * m * k * nn / best / 1e9);
        }
        // The engine's prefill plan converts each bf16 weight matrix to f32 before sgemm: its cost.
        uint16_t *wb = malloc((size_t)k * nn * 2);
        for (size_t i = 0; i < (size_t)k * nn; i++) wb[i] = 0x3c00;
        double best = 1e30;
        for (int r = 0; r < 5; r++) {
            double t0 = now();
            sk_bf16_to_f32(wb, b, (size_t)k * nn);
            double s = now() - t0;
            if (s < best) best = s;
        }
        printf("bf16 -> f32 conversion of the %dx%d weight, 1 thread: %.2f ms (%.1f GB/s read+write)\n", nn, k,
               best * 1e3, (double)k * nn * 6 / best / 1e9);
        free(wb);
        free(a); free(b); free(c);
    }
    return 0;
}
