// Shared by the AMX kernels (gemm_amx.c, gemm_amx_f32.c, qgemm_amx.c, attention_decode_amx.c; x86-64
// only): the tile configuration's layout, the exact three-part bf16 split of float32 values, the
// configuration of eight square tiles, and a 16 x 16 transpose of 32-bit words.
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

/// 16 rows of 16 32-bit words transposed in registers (four shuffle stages).
__attribute__((target("avx512f"))) static inline void sk_transpose16(__m512i r[16]) {
    __m512i t[16];
    for (int i = 0; i < 16; i += 2) {
        t[i] = _mm512_unpacklo_epi32(r[i], r[i + 1]);
        t[i + 1] = _mm512_unpackhi_epi32(r[i], r[i + 1]);
    }
    for (int i = 0; i < 16; i += 4) {
        r[i] = _mm512_unpacklo_epi64(t[i], t[i + 2]);
        r[i + 1] = _mm512_unpackhi_epi64(t[i], t[i + 2]);
        r[i + 2] = _mm512_unpacklo_epi64(t[i + 1], t[i + 3]);
        r[i + 3] = _mm512_unpackhi_epi64(t[i + 1], t[i + 3]);
    }
    // Now r[4q + c] holds, in its 128-bit lane L, rows 4q..4q+3 of column 4L + c. Gather the lanes.
    for (int i = 0; i < 4; i++) {
        t[i] = _mm512_shuffle_i32x4(r[i], r[4 + i], 0x88);       // lanes 0, 2 of rows 0-3 and 4-7
        t[4 + i] = _mm512_shuffle_i32x4(r[i], r[4 + i], 0xdd);   // lanes 1, 3
        t[8 + i] = _mm512_shuffle_i32x4(r[8 + i], r[12 + i], 0x88);
        t[12 + i] = _mm512_shuffle_i32x4(r[8 + i], r[12 + i], 0xdd);
    }
    for (int i = 0; i < 4; i++) {
        r[i] = _mm512_shuffle_i32x4(t[i], t[8 + i], 0x88);        // lane 0: columns 0-3 ... rows 0-15
        r[8 + i] = _mm512_shuffle_i32x4(t[i], t[8 + i], 0xdd);    // lane 2
        r[4 + i] = _mm512_shuffle_i32x4(t[4 + i], t[12 + i], 0x88);
        r[12 + i] = _mm512_shuffle_i32x4(t[4 + i], t[12 + i], 0xdd);
    }
}

#endif
