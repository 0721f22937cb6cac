// Decode attention over a bf16 latent cache with AMX (see attention_decode.c for the one-pass online
// softmax). Deep in a context the cache rows dominate a token's attention: a float32 row of DeepSeek's
// 576 dims is 2,304 bytes and 1,088 FMAs per 16 heads, and both the bytes (the rows come from memory,
// the weights having streamed through the caches since) and the FMAs bound the AVX-512 kernel. A bf16
// row halves the bytes, and per block of 64 rows both products become tile products:
//
// - Scores: 16 rows x 16 heads per accumulator tile, C = K · Qᵀ. K is tile A, loaded straight from the
//   row-major cache (16 rows, 64 bytes each, one cache row apart). The float32 queries are split once per
//   call into two bf16 parts, q = hi + lo (hi: q's mantissa cut to 8 bits; lo: the remainder cut the same
//   way, so hi + lo is q to 16 bits), and laid out as tile B.
// - Values: 16 heads x 16 dims per accumulator tile, C = P · V. The softmax weights P, split into two
//   parts the same way, are tile A (heads x rows); tile B wants each of its rows to hold two cache rows'
//   values interleaved, so 32 dims of each pair of rows are interleaved into an L1 buffer first (one
//   permute per 32 values). The tile results then rescale and add onto the running sums in float32.
//
// A bf16 value times a bf16 part is exact in float32, and AMX adds in float32: each score and each sum is
// the float32 result with the query and the weights to 16 significant bits (relative errors near 1e-5),
// up to the order of the additions. The AVX-512 kernel's 1,088 FMAs per row become a few tile products
// and 16 permutes.
#if defined(__x86_64__)
#include "amx_tiles.h"
#include "online_softmax.h"
#include <math.h>

#define SK_TARGET_AMX_DECODE \
    __attribute__((target("avx2,fma,f16c,avx512f,avx512bw,avx512vl,avx512vnni,amx-tile,amx-bf16")))

enum { GROUP = 16, BLOCK = 64, TILE = 16, KSTEP = 32, AHEAD = 2 };

/// The queries of heads [h0, h0 + live) (rows of qdim floats at qh) as tile B: for every part (hi, lo)
/// and every 32-dim step, 16 rows of (q_h[2k], q_h[2k + 1]) for the 16 heads h, in bf16. Heads past
/// `live` are zero.
SK_TARGET_AMX_DECODE static void pack_queries(const float *qh, size_t live, size_t qdim, uint16_t *tiles) {
    const __m512i mask = _mm512_set1_epi32((int)0xffff0000u);
    size_t steps = qdim / KSTEP;
    for (size_t s = 0; s < steps; s++) {
        __m512i hi[TILE], lo[TILE];
        for (size_t i = 0; i < TILE; i++) {
            if (i >= live) {
                hi[i] = lo[i] = _mm512_setzero_si512();
                continue;
            }
            __m256i halves[2][2];
            for (int k = 0; k < 2; k++) {
                __m512 v = _mm512_loadu_ps(qh + i * qdim + s * KSTEP + k * 16);
                __m512i h = _mm512_and_si512(_mm512_castps_si512(v), mask);
                __m512i r = _mm512_and_si512(_mm512_castps_si512(_mm512_sub_ps(v, _mm512_castsi512_ps(h))), mask);
                halves[0][k] = _mm512_cvtepi32_epi16(_mm512_srli_epi32(h, 16));
                halves[1][k] = _mm512_cvtepi32_epi16(_mm512_srli_epi32(r, 16));
            }
            hi[i] = _mm512_inserti64x4(_mm512_castsi256_si512(halves[0][0]), halves[0][1], 1);
            lo[i] = _mm512_inserti64x4(_mm512_castsi256_si512(halves[1][0]), halves[1][1], 1);
        }
        // Row i held head i's 16 dim pairs; after the transpose, row k holds pair k of the 16 heads.
        sk_transpose16(hi);
        sk_transpose16(lo);
        uint16_t *hiTile = tiles + s * TILE * 32, *loTile = tiles + (steps + s) * TILE * 32;
        for (size_t k = 0; k < TILE; k++) {
            _mm512_store_si512(hiTile + k * 32, hi[k]);
            _mm512_store_si512(loTile + k * 32, lo[k]);
        }
    }
}

/// scores[r][head] = Σ_d row_r[d] · q_head[d] for the 64 rows of `block` (ldc bf16 apart), on four
/// accumulator tiles.
SK_TARGET_AMX_DECODE static void score_block(const uint16_t *block, size_t ldc, const uint16_t *tiles, size_t steps,
                                            float *scores) {
    size_t stride = ldc * sizeof(uint16_t);
    _tile_zero(0);
    _tile_zero(1);
    _tile_zero(2);
    _tile_zero(3);
    for (size_t s = 0; s < steps; s++) {
        _tile_loadd(6, tiles + s * TILE * 32, 64);
        _tile_loadd(7, tiles + (steps + s) * TILE * 32, 64);
        const uint16_t *k = block + s * KSTEP;
        _tile_loadd(4, k, stride);
        _tile_dpbf16ps(0, 4, 6);
        _tile_dpbf16ps(0, 4, 7);
        _tile_loadd(5, k + 16 * ldc, stride);
        _tile_dpbf16ps(1, 5, 6);
        _tile_dpbf16ps(1, 5, 7);
        _tile_loadd(4, k + 32 * ldc, stride);
        _tile_dpbf16ps(2, 4, 6);
        _tile_dpbf16ps(2, 4, 7);
        _tile_loadd(5, k + 48 * ldc, stride);
        _tile_dpbf16ps(3, 5, 6);
        _tile_dpbf16ps(3, 5, 7);
    }
    _tile_stored(0, scores, 64);
    _tile_stored(1, scores + 16 * GROUP, 64);
    _tile_stored(2, scores + 32 * GROUP, 64);
    _tile_stored(3, scores + 48 * GROUP, 64);
}

/// The probabilities p[r][head] of a block's 64 rows as tile A for each part (hi, lo) and each 32-row
/// step: 16 rows (heads) of 32 bf16 (the step's cache rows), [part][step][head][32].
SK_TARGET_AMX_DECODE static void pack_probabilities(const float *probs, uint16_t *tiles) {
    const __m512i mask = _mm512_set1_epi32((int)0xffff0000u);
    for (size_t g = 0; g < BLOCK / TILE; g++) {
        __m512i rows[TILE];
        for (size_t i = 0; i < TILE; i++) rows[i] = _mm512_castps_si512(_mm512_load_ps(probs + (g * TILE + i) * GROUP));
        sk_transpose16(rows);  // now rows[h] holds head h's 16 probabilities
        size_t step = g / 2, half = g % 2;
        for (size_t h = 0; h < TILE; h++) {
            __m512i hi = _mm512_and_si512(rows[h], mask);
            __m512 rest = _mm512_sub_ps(_mm512_castsi512_ps(rows[h]), _mm512_castsi512_ps(hi));
            __m512i lo = _mm512_and_si512(_mm512_castps_si512(rest), mask);
            uint16_t *at = tiles + (step * TILE + h) * 32 + half * 16;
            _mm256_store_si256((__m256i *)at, _mm512_cvtepi32_epi16(_mm512_srli_epi32(hi, 16)));
            _mm256_store_si256((__m256i *)(at + 2 * TILE * 32), _mm512_cvtepi32_epi16(_mm512_srli_epi32(lo, 16)));
        }
    }
}

/// acc_h[d] = acc_h[d] * rescale[h] + Σ_r p[r][h] · row_r[d] for the `live` heads h (acc_h at acc + h *
/// vdim; a head not yet `seen` starts from zero, whatever acc holds), for the 64 rows of `block`. Tile A
/// is the probabilities (two parts, two 32-row steps: tiles 2-5, loaded once); tile B is 32 cache rows'
/// 16 values per column tile, two rows interleaved per tile row as AMX wants (built here, in L1). Prefetches
/// the `ahead_lines` lines at `ahead` into L2 along the way.
SK_TARGET_AMX_DECODE static void value_block(size_t live, const float *probs, const uint16_t *block, size_t ldc,
                                            const float *rescale, unsigned seen, float *acc, size_t vdim,
                                            const char *ahead, size_t ahead_lines) {
    uint16_t ptiles[2 * 2 * TILE * 32] __attribute__((aligned(64)));
    uint16_t vtiles[2][2][TILE * 32] __attribute__((aligned(64)));  // [column tile][step][pair row][32]
    float out[2][TILE * TILE] __attribute__((aligned(64)));
    pack_probabilities(probs, ptiles);
    _tile_loadd(2, ptiles, 64);                 // step 0, hi
    _tile_loadd(3, ptiles + 2 * TILE * 32, 64); // step 0, lo
    _tile_loadd(4, ptiles + TILE * 32, 64);     // step 1, hi
    _tile_loadd(5, ptiles + 3 * TILE * 32, 64); // step 1, lo
    const __m512i first = _mm512_setr_epi32(0x200000, 0x210001, 0x220002, 0x230003, 0x240004, 0x250005, 0x260006,
                                            0x270007, 0x280008, 0x290009, 0x2a000a, 0x2b000b, 0x2c000c, 0x2d000d,
                                            0x2e000e, 0x2f000f);
    const __m512i second = _mm512_add_epi16(first, _mm512_set1_epi16(16));
    // The prefetches are spread evenly over the pair rows built, `each` per row.
    size_t pair_rows = vdim / 32 * 2 * TILE, each = (ahead_lines + pair_rows - 1) / pair_rows, next = 0;
    for (size_t d0 = 0; d0 < vdim; d0 += 32) {
        // Row pair (2k, 2k + 1) of each step, dims d0 ..< d0 + 32: element 2n + j of pair row k is row
        // 2k + j's value n of the column tile.
        for (size_t step = 0; step < 2; step++) {
            for (size_t k = 0; k < TILE; k++) {
                for (size_t i = 0; i < each && next < ahead_lines; i++, next++)
                    _mm_prefetch(ahead + next * 64, _MM_HINT_T1);
                const uint16_t *a = block + (step * 32 + 2 * k) * ldc + d0;
                __m512i x = _mm512_loadu_si512(a), y = _mm512_loadu_si512(a + ldc);
                _mm512_store_si512(vtiles[0][step] + k * 32, _mm512_permutex2var_epi16(x, first, y));
                _mm512_store_si512(vtiles[1][step] + k * 32, _mm512_permutex2var_epi16(x, second, y));
            }
        }
        // Both column tiles (accumulators 0, 1; pair rows in 6, 7) over one 32-row step, whose
        // probabilities' two parts are tiles HI and LO (tile numbers must be constants).
#define VALUE_STEP(STEP, HI, LO)             \
    _tile_loadd(6, vtiles[0][STEP], 64);     \
    _tile_loadd(7, vtiles[1][STEP], 64);     \
    _tile_dpbf16ps(0, HI, 6);                \
    _tile_dpbf16ps(0, LO, 6);                \
    _tile_dpbf16ps(1, HI, 7);                \
    _tile_dpbf16ps(1, LO, 7);
        _tile_zero(0);
        _tile_zero(1);
        VALUE_STEP(0, 2, 3)
        VALUE_STEP(1, 4, 5)
#undef VALUE_STEP
        _tile_stored(0, out[0], 64);
        _tile_stored(1, out[1], 64);
        for (size_t h = 0; h < live; h++) {
            float *ah = acc + h * vdim + d0;
            __m512 o0 = _mm512_load_ps(out[0] + h * TILE), o1 = _mm512_load_ps(out[1] + h * TILE);
            if (seen >> h & 1) {
                __m512 r = _mm512_set1_ps(rescale[h]);
                o0 = _mm512_fmadd_ps(_mm512_loadu_ps(ah), r, o0);
                o1 = _mm512_fmadd_ps(_mm512_loadu_ps(ah + 16), r, o1);
            }
            _mm512_storeu_ps(ah, o0);
            _mm512_storeu_ps(ah + 16, o1);
        }
    }
}

/// Heads [h0, h0 + 16) (those past `heads` are zero queries whose results are dropped).
SK_TARGET_AMX_DECODE static void decode_group(const float *q, size_t heads, size_t h0, size_t qdim,
                                             const uint16_t *cache, size_t ldc, size_t j0, size_t j1, size_t vdim,
                                             float scale, float *m, float *l, float *acc) {
    uint16_t tiles[2 * SK_DECODE_MAX_DIM * GROUP] __attribute__((aligned(64)));  // the queries' two parts
    uint16_t padded[BLOCK * SK_DECODE_MAX_DIM] __attribute__((aligned(64)));    // a partial block's rows
    float scores[BLOCK * GROUP] __attribute__((aligned(64)));                    // then probabilities, [row][head]
    float rescale[GROUP] __attribute__((aligned(64)));
    size_t live = heads - h0 < GROUP ? heads - h0 : GROUP, steps = qdim / KSTEP;
    __mmask16 lanes = (__mmask16)((1u << live) - 1);
    const __m512 ninf = _mm512_set1_ps(-INFINITY), vscale = _mm512_set1_ps(scale);
    __m512 mv = _mm512_mask_loadu_ps(ninf, lanes, m + h0);
    __m512 lv = _mm512_maskz_loadu_ps(lanes, l + h0);
    // The rows come from memory (between two tokens the weights stream through the caches): the first
    // blocks are requested now, and each block then requests the one AHEAD blocks after it.
    size_t early = j1 - j0 < AHEAD * BLOCK ? j1 - j0 : AHEAD * BLOCK;
    for (size_t i = 0; i < (early * ldc * sizeof(uint16_t) + 63) / 64; i++)
        _mm_prefetch((const char *)(cache + j0 * ldc) + i * 64, _MM_HINT_T1);
    pack_queries(q + h0 * qdim, live, qdim, tiles);
    float *ah = acc + h0 * vdim;

    for (size_t b0 = j0; b0 < j1; b0 += BLOCK) {
        size_t rows = j1 - b0 < BLOCK ? j1 - b0 : BLOCK, stride = ldc;
        const uint16_t *block = cache + b0 * ldc;
        if (rows < BLOCK) {
            // A last, partial block: the tiles read 64 whole rows, so the rows are copied and zero-padded.
            for (size_t r = 0; r < rows; r++) memcpy(padded + r * qdim, block + r * ldc, qdim * sizeof(uint16_t));
            memset(padded + rows * qdim, 0, (BLOCK - rows) * qdim * sizeof(uint16_t));
            block = padded;
            stride = qdim;
        }
        score_block(block, stride, tiles, steps, scores);
        // Online softmax, all heads at once: the block's maximum, then the rescale of what came before.
        // A head never seen before starts its sums from zero, whatever acc holds.
        __mmask16 seen = _mm512_cmp_ps_mask(mv, ninf, _CMP_NEQ_OQ);
        _mm512_store_ps(rescale, sk_online_softmax_block16(scores, rows, vscale, &mv, &lv));
        for (size_t r = rows; r < BLOCK; r++) _mm512_store_ps(scores + r * GROUP, _mm512_setzero_ps());
        size_t a0 = b0 + AHEAD * BLOCK, a1 = a0 + BLOCK < j1 ? a0 + BLOCK : j1;
        value_block(live, scores, block, stride, rescale, seen, ah, vdim, (const char *)(cache + a0 * ldc),
                    a0 < a1 ? ((a1 - a0) * ldc * sizeof(uint16_t) + 63) / 64 : 0);
    }
    _mm512_mask_storeu_ps(m + h0, lanes, mv);
    _mm512_mask_storeu_ps(l + h0, lanes, lv);
}

SK_TARGET_AMX_DECODE void sk_amx_attention_decode_bf16(const float *q, size_t heads, size_t qdim,
                                                      const uint16_t *cache, size_t ldc, size_t j0, size_t j1,
                                                      size_t vdim, float scale, float *m, float *l, float *acc) {
    sk_amx_configure_square_tiles();  // scores in 0-3, keys in 4-5, the queries' parts in 6-7
    for (size_t h0 = 0; h0 < heads; h0 += GROUP)
        decode_group(q, heads, h0, qdim, cache, ldc, j0, j1, vdim, scale, m, l, acc);
    _tile_release();  // the tile state is large; released, a context switch need not save it
}
#endif
