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
            var expected = [Double](repeating: 0, count: c.heads * c.vdim)
            for h in 0..<c.heads {
                let scores = (0..<c.ctx).map { j in
                    (0..<c.qdim).reduce(0.0) { $0 + Double(q[h * c.qdim + $1]) * Double(values[j * c.ldc + $1]) } * Double(scale)
                }
                let top = scores.max()!
                let weights = scores.map { Foundation.exp($0 - top) }
                let total = weights.reduce(0, +)
                for d in 0..<c.vdim {
                    expected[h * c.vdim + d] = (0..<c.ctx).reduce(0.0) { $0 + weights[$1] * Double(values[$1 * c.ldc + d]) } / total
                }
            }
            let amxTakes = sk_amx_supported() != 0 && c.qdim % 32 == 0 && c.vdim % 32 == 0
            forEachSimdLevel { _, level in
                for amx in amxTakes ? [false, true] : [false] where sk_set_amx(amx ? 1 : 0) == (amx ? 1 : 0) {
                    // The tiles take the queries and the softmax weights to 16 significant bits.
                    let name = amx ? "\(level) + AMX" : level, accuracy = amx ? 1e-4 : 2e-5
                    for split in Set([0, c.ctx / 3, c.ctx]) {
                        var parts: [(m: [Float], l: [Float], acc: [Float])] = []
                        for (j0, j1) in [(0, split), (split, c.ctx)] where j1 > j0 {
                            var m = [Float](repeating: -.infinity, count: c.heads), l = [Float](repeating: 0, count: c.heads)
                            var acc = [Float](repeating: 0, count: c.heads * c.vdim)
                            sk_attention_decode_bf16(q, c.heads, c.qdim, cache, c.ldc, j0, j1, c.vdim, scale, &m, &l, &acc)
                            parts.append((m, l, acc))
                        }
                        var m = [Float](repeating: -.infinity, count: c.heads), l = [Float](repeating: 0, count: c.heads)
                        var acc = [Float](repeating: 0, count: c.heads * c.vdim)
                        for (j0, j1) in [(0, split), (split, c.ctx)] where j1 > j0 {
                            sk_attention_decode_bf16(q, c.heads, c.qdim, cache, c.ldc, j0, j1, c.vdim, scale, &m, &l, &acc)
                        }
                        var worstContinued = 0.0, worstMerged = 0.0
                        for h in 0..<c.heads {
                            let top = parts.map { $0.m[h] }.max()!
                            let total = parts.reduce(0.0) { $0 + Double($1.l[h]) * Foundation.exp(Double($1.m[h] - top)) }
                            for d in 0..<c.vdim {
                                let want = expected[h * c.vdim + d]
                                worstContinued = max(worstContinued, abs(Double(acc[h * c.vdim + d] / l[h]) - want))
                                let merged = parts.reduce(0.0) {
                                    $0 + Double($1.acc[h * c.vdim + d]) * Foundation.exp(Double($1.m[h] - top))
                                } / total
                                worstMerged = max(worstMerged, abs(merged - want))
                            }
                        }
                        XCTAssertLessThan(worstContinued, accuracy, "\(name) \(c) continued at \(split)")
                        XCTAssertLessThan(worstMerged, accuracy, "\(name) \(c) split at \(split)")
                    }
                }
            }
        }
    }
}
