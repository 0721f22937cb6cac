// A persistent pool of worker threads for the model's parallel regions (see SeekKernels.h).
//
// Decoding one token runs dozens of short parallel regions (one per projection or group of expert
// products, 0.1-1 ms each). Waking a sleeping thread costs 15-25 us on this kind of machine, so the
// workers spin on a generation counter between regions and only sleep on a condition variable after
// SPIN_NS without work: an idle program (a REPL waiting for input) uses no CPU.
#define _GNU_SOURCE
#include "sk_internal.h"
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>
#if defined(__x86_64__)
#include <immintrin.h>
#define CPU_RELAX() _mm_pause()
#else
#define CPU_RELAX() ((void)0)
#endif

enum { MAX_WORKERS = 255 };
static const uint64_t SPIN_NS = 200 * 1000;
enum { SPIN_PAUSES = 2000 };  // a few microseconds of pause before yielding

static struct {
    pthread_mutex_t lock;          // guards starting workers and sleeping
    pthread_cond_t wake;
    atomic_int busy;               // a region is running (nested or concurrent calls run inline)
    atomic_uint_fast64_t generation;
    atomic_int sleepers;
    atomic_size_t pending;         // workers that have not finished the current region
    size_t workers;                // started so far (indices 1...workers)
    sk_parallel_fn fn;             // the current region, published by the generation increment
    void *context;
    size_t count;
} pool = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER};

static uint64_t now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

/// One step of a wait loop: a pause at first, then yielding the core, so that with more threads than
/// cores (-t above the core count) a waiting thread hands its core to one with work instead of spinning
/// on it (4 threads on 2 cores ran at half speed with pure spinning).
static inline void relax(unsigned polls) {
    if (polls < SPIN_PAUSES) CPU_RELAX();
    else sched_yield();
}

// A worker's start argument: its index in the low 8 bits, above them the generation at its creation
// (the region it must wait for is the next one, even if the thread starts running after it began).
static void *worker_main(void *arg) {
    size_t index = (size_t)((uintptr_t)arg & 0xff);
    uint_fast64_t seen = (uint_fast64_t)((uintptr_t)arg >> 8);
    for (;;) {
        // Spin for new work, then sleep until it comes.
        uint64_t start = now_ns();
        unsigned polls = 0;
        while (atomic_load_explicit(&pool.generation, memory_order_acquire) == seen) {
            relax(++polls);
            if (polls % 256 == 0 && now_ns() - start > SPIN_NS) {
                pthread_mutex_lock(&pool.lock);
                atomic_fetch_add(&pool.sleepers, 1);
                while (atomic_load(&pool.generation) == seen) pthread_cond_wait(&pool.wake, &pool.lock);
                atomic_fetch_sub(&pool.sleepers, 1);
                pthread_mutex_unlock(&pool.lock);
            }
        }
        seen = atomic_load_explicit(&pool.generation, memory_order_acquire);
        if (index < pool.count) pool.fn(pool.context, index);
        atomic_fetch_sub_explicit(&pool.pending, 1, memory_order_acq_rel);
    }
    return NULL;
}

/// Starts workers until there are `wanted` (capped); returns how many exist. Called while `busy` is held.
static size_t ensure_workers(size_t wanted) {
    if (wanted > MAX_WORKERS) wanted = MAX_WORKERS;
    pthread_mutex_lock(&pool.lock);
    // Workers start with every signal blocked (they inherit the creator's mask), so Ctrl-C and the
    // like reach the program's own threads and handlers, never a kernel loop.
    sigset_t all, previous;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &previous);
    while (pool.workers < wanted) {
        pthread_t thread;
        pthread_attr_t attr;
        pthread_attr_init(&attr);
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        uintptr_t arg = (uintptr_t)(pool.workers + 1) | ((uintptr_t)atomic_load(&pool.generation) << 8);
        int failed = pthread_create(&thread, &attr, worker_main, (void *)arg);
        pthread_attr_destroy(&attr);
        if (failed) break;  // run with the workers we have
        pool.workers++;
    }
    pthread_sigmask(SIG_SETMASK, &previous, NULL);
    size_t workers = pool.workers;
    pthread_mutex_unlock(&pool.lock);
    return workers;
}

void sk_parallel_run(sk_parallel_fn fn, void *context, size_t count) {
    int expected = 0;
    if (count <= 1 || !atomic_compare_exchange_strong(&pool.busy, &expected, 1)) {
        for (size_t i = 0; i < count; i++) fn(context, i);  // one task, or the pool is in use
        return;
    }
    size_t workers = ensure_workers(count - 1);
    pool.fn = fn;
    pool.context = context;
    pool.count = count;
    atomic_store(&pool.pending, workers);
    atomic_fetch_add(&pool.generation, 1);  // publishes fn/context/count to the workers
    if (atomic_load(&pool.sleepers) > 0) {
        pthread_mutex_lock(&pool.lock);
        pthread_cond_broadcast(&pool.wake);
        pthread_mutex_unlock(&pool.lock);
    }
    fn(context, 0);
    for (size_t i = workers + 1; i < count; i++) fn(context, i);  // tasks beyond the workers started
    unsigned polls = 0;
    while (atomic_load_explicit(&pool.pending, memory_order_acquire) > 0) relax(++polls);
    atomic_store(&pool.busy, 0);
}

// ---- chunks claimed one at a time ----------------------------------------------------------------------

typedef struct {
    sk_chunk_fn fn;
    void *context;
    size_t chunks;
    atomic_size_t next;  // the next unclaimed chunk
} chunk_claims;

static void claim_chunks(void *context, size_t worker) {
    chunk_claims *claims = context;
    for (;;) {
        size_t chunk = atomic_fetch_add_explicit(&claims->next, 1, memory_order_relaxed);
        if (chunk >= claims->chunks) return;
        claims->fn(claims->context, worker, chunk);
    }
}

void sk_parallel_chunks(sk_chunk_fn fn, void *context, size_t workers, size_t chunks) {
    chunk_claims claims = {fn, context, chunks, 0};
    if (workers > chunks) workers = chunks;
    sk_parallel_run(claim_chunks, &claims, workers);
}
