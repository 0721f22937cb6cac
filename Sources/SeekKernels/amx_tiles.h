// Shared by the AMX kernels (gemm_amx.c, gemm_amx_f32.c, qgemm_amx.c; x86-64 only): the tile
// configuration's layout, the exact three-part bf16 split of float32 values, and the configuration of
// eight square tiles.
#ifndef SK_AMX_TILES_H
#define SK_AMX_TILES_H

#include "sk_internal.h"
#include <immintrin.h>

/// LDTILECFG's 64 bytes (palette 1): each tile's rows and bytes per row.
typedef struct {
    uint8_t palette, start_row, reserved[14];
    uint16_t bytes_per_row[16];
    uint8_t rows[16];
} sk_tile_config;

/// Configures all eight tiles as 16 rows of 64 bytes on this thread (gemm_amx.c).
void sk_amx_configure_square_tiles(void);

/// v = hi + mid + lo exactly, each part a bf16 (its bits in the low half of each 32-bit lane): hi is v
/// with its mantissa cut to 8 bits, mid the same of the remainder (exact: they share their leading bits),
/// lo what is left, at most 8 significant bits.
__attribute__((target("avx512f"))) static inline void sk_split3(__m512 v, __m512i parts[3]) {
    const __m512i mask = _mm512_set1_epi32((int)0xffff0000u);
    __m512i hi = _mm512_and_si512(_mm512_castps_si512(v), mask);
    __m512 r = _mm512_sub_ps(v, _mm512_castsi512_ps(hi));
    __m512i mid = _mm512_and_si512(_mm512_castps_si512(r), mask);
    __m512 lo = _mm512_sub_ps(r, _mm512_castsi512_ps(mid));
    parts[0] = _mm512_srli_epi32(hi, 16);
    parts[1] = _mm512_srli_epi32(mid, 16);
    parts[2] = _mm512_srli_epi32(_mm512_castps_si512(lo), 16);
}

#endif
