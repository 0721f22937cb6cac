// bf16 weights times float32 tokens on AMX tiles (Intel Sapphire Rapids and later). One TDPBF16PS
// multiplies a 16 x 32 bf16 tile by a 32 x 16 one: 8192 multiply-adds, an order of magnitude more per
// core and cycle than 512-bit FMAs. AMX multiplies bf16 by bf16, and the tokens must stay float32
// (bf16 models match the oracle to 1e-4), so each token value is split into three bf16 parts,
// x = hi + mid + lo, exactly: hi is x with its mantissa cut to 8 bits, mid the same of the remainder,
// and lo what is left, at most 8 significant bits. A bf16 weight times a bf16 part is exact in float32,
// so W · hi + W · mid + W · lo is the float32 product up to the order of the additions (AMX adds in
// float32, rounding to nearest; only subnormal parts, below 1e-38, are flushed to zero).
//
// The weights are tile A, loaded straight from the row-major matrix (16 rows, 64 bytes of each). The
// split tokens are tile B in the layout AMX wants: 16 tokens per block, each row of 64 bytes holding, for
// one pair of columns (k, k + 1), the 16 tokens' two bf16 values. sk_split_tokens_bf16x3 writes that once
// per product for all workers. Four accumulator tiles hold 32 rows x 32 tokens over the whole K, so each
// result is written once.
#include "sk_internal.h"
#include <stdlib.h>

#if defined(__x86_64__)
#include "amx_tiles.h"
#if defined(__linux__)
#include <sys/syscall.h>
#include <unistd.h>
#endif

#define SK_TARGET_AMX \
    __attribute__((target("avx2,fma,f16c,avx512f,avx512bw,avx512vl,avx512vnni,amx-tile,amx-bf16")))

enum { PARTS = 3, TILE = 16, KSTEP = 32, TILE_BYTES = 1024 };
/// Blocking (measured on a 2 MB-L2 Xeon): 1,024 columns of a chunk of token blocks, about 1.5 MB of
/// split tokens, stay in L2 while the weights pass; larger chunks fell from L2 and ran at half the rate.
enum { STEP_CHUNK = 32, TOKEN_CHUNK_BYTES = 1536 * 1024 };

/// The CPU has AMX-TILE, AMX-BF16 and AMX-INT8 (every Intel CPU with AMX has the three), the OS saves
/// tile state (XCR0 bits 17-18), and Linux granted this process the tile data (arch_prctl
/// ARCH_REQ_XCOMP_PERM, which must precede the first tile instruction). Used by every AMX kernel.
static int detect_amx(void) {
#if defined(__linux__)
    unsigned a, b, c, d;
    __asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(0), "c"(0));
    if (a < 7) return 0;
    __asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(7), "c"(0));
    int tile = (d >> 24) & 1, bf16 = (d >> 22) & 1, int8 = (d >> 25) & 1, osxsave;
    __asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(1), "c"(0));
    osxsave = (c >> 27) & 1;
    if (!tile || !bf16 || !int8 || !osxsave) return 0;
    unsigned lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    if (((lo >> 17) & 3) != 3) return 0;
    enum { ARCH_REQ_XCOMP_PERM = 0x1023, XFEATURE_XTILEDATA = 18 };
    return syscall(SYS_arch_prctl, ARCH_REQ_XCOMP_PERM, XFEATURE_XTILEDATA) == 0;
#else
    return 0;
#endif
}

static int amx_supported = -1;  // -1 until first use
static int amx_switch = -1;     // sk_set_amx / SEEK_AMX; -1 until first use

int sk_amx_supported(void) {
    return sk_detect_once(&amx_supported, detect_amx);
}

int sk_amx_enabled(void) {
    int on = __atomic_load_n(&amx_switch, __ATOMIC_RELAXED);
    if (on < 0) {
        const char *value = getenv("SEEK_AMX");  // SEEK_AMX=0 turns the tiles off, to compare paths
        on = !(value && strcmp(value, "0") == 0);
        __atomic_store_n(&amx_switch, on, __ATOMIC_RELAXED);
    }
    return on && sk_level() == SK_SIMD_AVX512 && sk_amx_supported();
}

int sk_set_amx(int on) {
    __atomic_store_n(&amx_switch, on ? 1 : 0, __ATOMIC_RELAXED);
    return sk_amx_enabled();
}

// ---- the split tokens: [token block][part][column pair][16 tokens] of (bf16 x[2j], bf16 x[2j + 1]) -----

static size_t pair_rows(size_t cols) { return (cols + KSTEP - 1) / KSTEP * (KSTEP / 2); }

size_t sk_bf16x3_tokens_bytes(size_t n, size_t cols) {
    return (n + TILE - 1) / TILE * PARTS * pair_rows(cols) * 64;
}

/// One block of 16 tokens (`count` real, the rest zeros), columns [k, k + 32): each token's three parts
/// as 16 words of column pairs, then transposed so that each pair row holds the 16 tokens.
SK_TARGET_AMX static void split_step(const float *x, size_t cols, size_t count, size_t k, uint8_t *block,
                                     size_t part_bytes) {
    __m512i rows[PARTS][TILE];
    for (size_t i = 0; i < TILE; i++) {
        __m512i halves[PARTS][2];
        for (int h = 0; h < 2; h++) {
            size_t k0 = k + 16 * h;
            __mmask16 valid = i >= count || k0 >= cols ? 0
                              : cols - k0 >= 16        ? (__mmask16)0xffff
                                                       : (__mmask16)((1u << (cols - k0)) - 1);
            __m512i parts[PARTS];
            sk_split3(_mm512_maskz_loadu_ps(valid, x + i * cols + k0), parts);
            for (int p = 0; p < PARTS; p++) halves[p][h] = parts[p];
        }
        // 32 bf16 in column order: as 32-bit words, word j is the pair (2j, 2j + 1).
        for (int p = 0; p < PARTS; p++)
            rows[p][i] = _mm512_inserti64x4(_mm512_castsi256_si512(_mm512_cvtepi32_epi16(halves[p][0])),
                                            _mm512_cvtepi32_epi16(halves[p][1]), 1);
    }
    for (int p = 0; p < PARTS; p++) {
        sk_transpose16(rows[p]);
        uint8_t *dst = block + p * part_bytes + k / KSTEP * TILE_BYTES;
        for (int j = 0; j < TILE; j++) _mm512_storeu_si512((__m512i *)(dst + j * 64), rows[p][j]);
    }
}

void sk_split_tokens_bf16x3(const float *x, size_t n, size_t cols, size_t b0, size_t b1, void *tokens) {
    size_t part_bytes = pair_rows(cols) * 64;
    uint8_t *out = tokens;
    for (size_t b = b0; b < b1 && b * TILE < n; b++) {
        size_t count = n - b * TILE < TILE ? n - b * TILE : TILE;
        for (size_t k = 0; k < cols; k += KSTEP)
            split_step(x + b * TILE * cols, cols, count, k, out + b * PARTS * part_bytes, part_bytes);
    }
}

// ---- the product -----------------------------------------------------------------------------------

SK_TARGET_AMX void sk_amx_configure_square_tiles(void) {
    sk_tile_config config;
    memset(&config, 0, sizeof config);
    config.palette = 1;
    for (int i = 0; i < 8; i++) {
        config.rows[i] = TILE;
        config.bytes_per_row[i] = 64;
    }
    _tile_loadconfig(&config);
}

/// Accumulator tile c (16 rows x 16 tokens, row-major in `c`) into (or, with `add`, onto) y's tokens
/// [t, t + nt), rows [r, r + 16).
SK_TARGET_AMX static void store_tile(const float *c, float *y, size_t ldy, size_t t, size_t nt, size_t r, int add) {
    const __m512i column = _mm512_mullo_epi32(_mm512_set_epi32(15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0),
                                              _mm512_set1_epi32(16));
    for (size_t j = 0; j < nt; j++) {
        __m512 v = _mm512_i32gather_ps(_mm512_add_epi32(column, _mm512_set1_epi32((int)j)), c, 4);
        if (add) v = _mm512_add_ps(v, _mm512_loadu_ps(y + (t + j) * ldy + r));
        _mm512_storeu_ps(y + (t + j) * ldy + r, v);
    }
}

/// Rows [r, r + 16 * mr) x token blocks [b, b + mt) over all of K, mr and mt each 1 or 2.
SK_TARGET_AMX static inline __attribute__((always_inline)) void
block_product(const int mr, const int mt, const uint16_t *w, size_t cols, const uint8_t *tokens, size_t block_bytes,
              size_t part_bytes, size_t s0, size_t s1, size_t b, float *y, size_t n, size_t ldy, size_t r) {
    _tile_zero(0);
    if (mt > 1) _tile_zero(1);
    if (mr > 1) _tile_zero(2);
    if (mr > 1 && mt > 1) _tile_zero(3);
    size_t whole = cols / KSTEP;
    uint16_t edge[2][TILE * KSTEP] __attribute__((aligned(64)));
    for (size_t s = s0; s < s1; s++) {
        const uint16_t *a = w + r * cols + s * KSTEP;
        if (s < whole) {
            _tile_loadd(4, a, cols * 2);
            if (mr > 1) _tile_loadd(5, a + TILE * cols, cols * 2);
        } else {  // the last, partial columns: a zero-padded copy, so nothing past a row is read
            size_t kc = cols - s * KSTEP;
            memset(edge, 0, sizeof edge);
            for (int m = 0; m < mr; m++)
                for (size_t i = 0; i < TILE; i++) memcpy(edge[m] + i * KSTEP, a + (m * TILE + i) * cols, kc * 2);
            _tile_loadd(4, edge[0], 64);
            if (mr > 1) _tile_loadd(5, edge[1], 64);
        }
        const uint8_t *bt = tokens + b * block_bytes + s * TILE_BYTES;
        for (int p = 0; p < PARTS; p++) {
            _tile_loadd(6, bt + p * part_bytes, 64);
            if (mt > 1) _tile_loadd(7, bt + block_bytes + p * part_bytes, 64);
            _tile_dpbf16ps(0, 4, 6);
            if (mt > 1) _tile_dpbf16ps(1, 4, 7);
            if (mr > 1) _tile_dpbf16ps(2, 5, 6);
            if (mr > 1 && mt > 1) _tile_dpbf16ps(3, 5, 7);
        }
    }
    float c[TILE * TILE] __attribute__((aligned(64)));
    size_t t = b * TILE, nt0 = n - t < TILE ? n - t : TILE, nt1 = mt > 1 ? (n - t - TILE < TILE ? n - t - TILE : TILE) : 0;
    int add = s0 > 0;
    _tile_stored(0, c, 64);
    store_tile(c, y, ldy, t, nt0, r, add);
    if (mt > 1) { _tile_stored(1, c, 64); store_tile(c, y, ldy, t + TILE, nt1, r, add); }
    if (mr > 1) { _tile_stored(2, c, 64); store_tile(c, y, ldy, t, nt0, r + TILE, add); }
    if (mr > 1 && mt > 1) { _tile_stored(3, c, 64); store_tile(c, y, ldy, t + TILE, nt1, r + TILE, add); }
}

SK_TARGET_AMX static void amx_matmul(const uint16_t *w, const void *tokens, float *y, size_t n, size_t r0, size_t r1,
                                     size_t cols, size_t ldy) {
    size_t part_bytes = pair_rows(cols) * 64, block_bytes = PARTS * part_bytes, blocks = (n + TILE - 1) / TILE;
    size_t steps = part_bytes / TILE_BYTES;
    // Blocked like GotoBLAS: the split tokens of a chunk of token blocks over a chunk of columns (at most
    // STEP_CHUNK steps) stay in L2 while 32-row slabs of weights pass over them; each slab's chunk of
    // columns (64 KB) stays in L1/L2 while every token block of the chunk uses it.
    size_t chunk_steps = steps < STEP_CHUNK ? steps : STEP_CHUNK;
    size_t chunk_blocks = TOKEN_CHUNK_BYTES / (chunk_steps * PARTS * TILE_BYTES) & ~(size_t)1;
    if (chunk_blocks < 2) chunk_blocks = 2;
    sk_amx_configure_square_tiles();  // accumulators 0-3, weights 4-5, tokens 6-7
    for (size_t s0 = 0; s0 < steps; s0 += chunk_steps) {
        size_t s1 = s0 + chunk_steps < steps ? s0 + chunk_steps : steps;
        for (size_t b0 = 0; b0 < blocks; b0 += chunk_blocks) {
            size_t b1 = b0 + chunk_blocks < blocks ? b0 + chunk_blocks : blocks;
            for (size_t r = r0; r + TILE <= r1;) {
                int two = r + 2 * TILE <= r1;
                for (size_t b = b0; b < b1; b += 2) {
                    int pair = b + 1 < b1;
                    if (two && pair) block_product(2, 2, w, cols, tokens, block_bytes, part_bytes, s0, s1, b, y, n, ldy, r);
                    else if (two) block_product(2, 1, w, cols, tokens, block_bytes, part_bytes, s0, s1, b, y, n, ldy, r);
                    else if (pair) block_product(1, 2, w, cols, tokens, block_bytes, part_bytes, s0, s1, b, y, n, ldy, r);
                    else block_product(1, 1, w, cols, tokens, block_bytes, part_bytes, s0, s1, b, y, n, ldy, r);
                }
                r += two ? 2 * TILE : TILE;
            }
        }
    }
    _tile_release();  // the tile state is large; released, a context switch need not save it
}

void sk_matmul_bf16_amx(const uint16_t *w, const void *tokens, const float *x, float *y, size_t n, size_t r0,
                        size_t r1, size_t cols, size_t ldy) {
    if (n == 0 || r0 >= r1) return;
    if (!sk_amx_enabled() || cols == 0) {
        sk_matmul_bf16(w, x, y, n, r0, r1, cols, ldy);
        return;
    }
    size_t whole = (r1 - r0) / TILE * TILE;
    amx_matmul(w, tokens, y, n, r0, r0 + whole, cols, ldy);
    if (r0 + whole < r1) sk_matmul_bf16(w, x, y, n, r0 + whole, r1, cols, ldy);  // under 16 rows left
}

#else  // not x86-64: no tiles; the float32 kernels

int sk_amx_supported(void) { return 0; }
int sk_amx_enabled(void) { return 0; }
int sk_set_amx(int on) { (void)on; return 0; }
size_t sk_bf16x3_tokens_bytes(size_t n, size_t cols) { (void)n; (void)cols; return 0; }
void sk_split_tokens_bf16x3(const float *x, size_t n, size_t cols, size_t b0, size_t b1, void *tokens) {
    (void)x; (void)n; (void)cols; (void)b0; (void)b1; (void)tokens;
}
void sk_matmul_bf16_amx(const uint16_t *w, const void *tokens, const float *x, float *y, size_t n, size_t r0,
                        size_t r1, size_t cols, size_t ldy) {
    (void)tokens;
    sk_matmul_bf16(w, x, y, n, r0, r1, cols, ldy);
}
#endif
