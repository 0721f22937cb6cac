import Foundation
import XCTest
import SeekKernels

/// The one-token attention over a bf16 cache (sk_attention_decode_bf16) against a double-precision
/// softmax over the cache's exactly converted values, on every SIMD level, with AMX tiles on and off:
/// shapes the tiles take (dimensions multiples of 32; head counts around the 16 of a group; row ranges
/// across and inside the 64-row blocks; a row stride wider than the scored part) and shapes they leave to
/// the converting path. Each context is one call, two states merged, or one state continued.
final class KernelAttentionBF16Tests: XCTestCase {
    override func tearDown() {
        sk_set_amx(1)
    }

    func testDecodeMatchesSoftmax() {
        var random = KernelTestRandom(seed: 23)
        let cases: [(heads: Int, ctx: Int, qdim: Int, vdim: Int, ldc: Int)] = [
            (16, 300, 576, 512, 576), (20, 130, 96, 64, 100), (3, 64, 64, 32, 64), (1, 1, 32, 32, 32),
            (17, 65, 128, 96, 130), (16, 7, 64, 64, 64),                      // the tiles' shapes
            (3, 5, 40, 33, 70), (2, 77, 21, 17, 23), (4, 40, 80, 64, 80),     // the converting path's
        ]
        for c in cases {
            let q = random.floats(c.heads * c.qdim, scale: 2)
            var cache = [UInt16](repeating: 0, count: c.ctx * c.ldc)
            sk_f32_to_bf16(random.floats(c.ctx * c.ldc), &cache, cache.count)
            let values = cache.map(naiveBF16)
            let scale: Float = 0.3
            let expected = referenceDecodeAttention(q: q, heads: c.heads, qdim: c.qdim, cache: values, rows: c.ctx, ldc: c.ldc,
                                                    vdim: c.vdim, scale: scale)
            let amxTakes = sk_amx_supported() != 0 && c.qdim % 32 == 0 && c.vdim % 32 == 0
            forEachSimdLevel { _, level in
                for amx in amxTakes ? [false, true] : [false] where sk_set_amx(amx ? 1 : 0) == (amx ? 1 : 0) {
                    // The tiles take the queries and the softmax weights to 16 significant bits.
                    let name = amx ? "\(level) + AMX" : level, accuracy = amx ? 1e-4 : 2e-5
                    for split in Set([0, c.ctx / 3, c.ctx]) {
                        let errors = splitDecodeAttentionErrors(expected: expected, heads: c.heads, vdim: c.vdim, rows: c.ctx,
                                                                split: split) { j0, j1, m, l, acc in
                            sk_attention_decode_bf16(q, c.heads, c.qdim, cache, c.ldc, j0, j1, c.vdim, scale, &m, &l, &acc)
                        }
                        XCTAssertLessThan(errors.continued, accuracy, "\(name) \(c) continued at \(split)")
                        XCTAssertLessThan(errors.merged, accuracy, "\(name) \(c) split at \(split)")
                    }
                }
            }
        }
    }
}
