// q8 / q4 weights times int8 tokens on AMX tiles (Intel Sapphire Rapids and later): the integer panels
// and loop of the VNNI kernel (sk_int8_matmul_driver), with a tile of 16 tokens x 16 rows whose
// 32-column block is one tile product: the tokens' signed bytes straight from the quantized tokens
// (tile A, one row per token), times the panel's signed weights (TDPBSSD; q4 packed as nibble - 8),
// which the panel already holds in AMX's layout for B (per 4 columns, the 16 rows' 4 bytes). Every block has its
// own scales, so each block's int32 tile is stored and scaled into float32 accumulators in registers,
// with the AVX-512 tile's operations in its order: the same integers and the same float32 bits.
#include "sk_internal.h"

#if defined(__x86_64__)
#include "amx_tiles.h"

#define SK_TARGET_AMX_INT8 \
    __attribute__((target("avx2,fma,f16c,avx512f,avx512bw,avx512vl,avx512vnni,amx-tile,amx-int8")))

enum { AMX_TILE = 16 };

/// Token rows the tiles are configured for on this thread (0: none; configuring costs little but
/// is not free, and the driver's tiles mostly share one height).
static __thread int configured_tokens = 0;

/// Tiles 0-3: int32 sums of four blocks, mt tokens x 16 rows; tiles 4 and 6: mt tokens x 32 bytes;
/// tiles 5 and 7: 8 rows of 4 columns x 16 rows.
SK_TARGET_AMX_INT8 static void configure(int mt) {
    sk_tile_config config;
    memset(&config, 0, sizeof config);
    config.palette = 1;
    for (int i = 0; i < 4; i++) {
        config.rows[i] = (uint8_t)mt;
        config.bytes_per_row[i] = 64;
    }
    for (int i = 4; i < 8; i += 2) {
        config.rows[i] = (uint8_t)mt;
        config.bytes_per_row[i] = SK_QBLOCK;
        config.rows[i + 1] = SK_QBLOCK / 4;
        config.bytes_per_row[i + 1] = 64;
    }
    _tile_loadconfig(&config);
    configured_tokens = mt;
}

/// Block b's integer products into tile C: signed tokens times the panel's signed weights.
#define BLOCK_PRODUCT(C, A, B, b)                                                                  \
    do {                                                                                           \
        _tile_zero(C);                                                                             \
        _tile_loadd(A, xq + (b) * SK_QBLOCK, nb * SK_QBLOCK);                                       \
        _tile_loadd(B, panel + (b) * SK_QPANEL_BLOCK_BYTES + 64, 64);                               \
        _tile_dpbssd(C, A, B);                                                                     \
    } while (0)

/// Inlined with a constant mt, so the 16 accumulators stay in registers.
SK_TARGET_AMX_INT8 static inline __attribute__((always_inline)) void
amx_tile(const int mt, const uint8_t *panel, size_t nbk, const int8_t *xq, const float *xd, size_t nb, float *y,
         size_t ldy, size_t lo, size_t hi, int accumulate) {
    if (configured_tokens != mt) configure(mt);
    __m512 acc[AMX_TILE];
    for (int t = 0; t < AMX_TILE; t++) acc[t] = _mm512_setzero_ps();
    int32_t sums[4][AMX_TILE * 16] __attribute__((aligned(64)));
    // Four blocks' products in flight at once (a tile product's latency is long), then their scaling.
    for (size_t b0 = 0; b0 < nbk; b0 += 4) {
        size_t g = nbk - b0 < 4 ? nbk - b0 : 4;
        BLOCK_PRODUCT(0, 4, 5, b0);
        if (g > 1) BLOCK_PRODUCT(1, 6, 7, b0 + 1);
        if (g > 2) BLOCK_PRODUCT(2, 4, 5, b0 + 2);
        if (g > 3) BLOCK_PRODUCT(3, 6, 7, b0 + 3);
        _tile_stored(0, sums[0], 64);
        if (g > 1) _tile_stored(1, sums[1], 64);
        if (g > 2) _tile_stored(2, sums[2], 64);
        if (g > 3) _tile_stored(3, sums[3], 64);
        for (size_t j = 0; j < g; j++) {
            size_t b = b0 + j;
            __m512 dw = _mm512_load_ps((const float *)(panel + b * SK_QPANEL_BLOCK_BYTES));
            for (int t = 0; t < mt; t++)
                acc[t] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(_mm512_load_si512(sums[j] + 16 * t)),
                                         _mm512_mul_ps(dw, _mm512_set1_ps(xd[t * nb + b])), acc[t]);
        }
    }
    for (int t = 0; t < mt; t++) sk_store_panel_row(y + t * ldy, acc[t], lo, hi, accumulate);
}
#undef BLOCK_PRODUCT

/// The panel is signed, so the sums need no offset correction: `q4` and the tokens' sums go unused.
SK_TARGET_AMX_INT8 static void amx_tile_any(size_t mt, int q4, const uint8_t *panel, size_t nbk, const int8_t *xq,
                                            const float *xd, const int32_t *xs, size_t nb, float *y, size_t ldy,
                                            size_t lo, size_t hi, int accumulate) {
    (void)q4;
    (void)xs;
    switch (mt) {
#define AMX_CASE(N) case N: amx_tile(N, panel, nbk, xq, xd, nb, y, ldy, lo, hi, accumulate); return;
    AMX_CASE(16) AMX_CASE(15) AMX_CASE(14) AMX_CASE(13) AMX_CASE(12) AMX_CASE(11) AMX_CASE(10) AMX_CASE(9)
    AMX_CASE(8) AMX_CASE(7) AMX_CASE(6) AMX_CASE(5) AMX_CASE(4) AMX_CASE(3) AMX_CASE(2)
    default: amx_tile(1, panel, nbk, xq, xd, nb, y, ldy, lo, hi, accumulate); return;
#undef AMX_CASE
    }
}

SK_TARGET_AMX_INT8 void sk_amx_matmul_int8(int q4, const void *w, const sk_qtokens *x, float *y, size_t n, size_t r0,
                                           size_t r1, size_t ldy) {
    sk_int8_matmul_driver(q4, SK_PANEL_SIGNED, amx_tile_any, AMX_TILE, w, x, y, n, r0, r1, ldy);
    _tile_release();  // the tile state is large; released, a context switch need not save it
    configured_tokens = 0;
}
#endif
