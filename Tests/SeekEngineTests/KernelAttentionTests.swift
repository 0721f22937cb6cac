import Foundation
import XCTest
import SeekKernels

/// The one-token online-softmax attention (sk_attention_decode) against a double-precision softmax, on
/// every SIMD level: head counts around the 16-lane groups, dimensions that are not multiples of the
/// tiles (6 wide for AVX2, 16 rows or columns for AVX-512), a cache row stride wider than the scored part
/// (odd, so rows are unaligned), row ranges across the 64-row blocks, and a context split into two calls
/// whose states are merged as the engine merges its chunks', or whose second call continues the first's
/// state.
final class KernelAttentionTests: XCTestCase {
    func testDecodeMatchesSoftmax() {
        var random = KernelTestRandom(seed: 11)
        let cases: [(heads: Int, ctx: Int, qdim: Int, vdim: Int, ldc: Int)] = [
            (1, 1, 16, 16, 16), (3, 5, 40, 33, 70), (4, 33, 40, 32, 40), (16, 300, 576, 512, 576),
            (17, 130, 100, 97, 100), (5, 2, 48, 7, 48), (16, 64, 72, 64, 80), (2, 77, 21, 17, 23),
        ]
        for c in cases {
            let q = random.floats(c.heads * c.qdim, scale: 2)
            let cache = random.floats(c.ctx * c.ldc)
            let scale: Float = 0.3
            // The exact attention output per head, in double precision.
            var expected = [Double](repeating: 0, count: c.heads * c.vdim)
            for h in 0..<c.heads {
                let scores = (0..<c.ctx).map { j in
                    (0..<c.qdim).reduce(0.0) { $0 + Double(q[h * c.qdim + $1]) * Double(cache[j * c.ldc + $1]) } * Double(scale)
                }
                let top = scores.max()!
                let weights = scores.map { Foundation.exp($0 - top) }
                let total = weights.reduce(0, +)
                for d in 0..<c.vdim {
                    expected[h * c.vdim + d] = (0..<c.ctx).reduce(0.0) { $0 + weights[$1] * Double(cache[$1 * c.ldc + d]) } / total
                }
            }
            forEachSimdLevel { _, name in
                for split in Set([0, c.ctx / 3, c.ctx]) {  // one call, or two ranges merged
                    var parts: [(m: [Float], l: [Float], acc: [Float])] = []
                    for (j0, j1) in [(0, split), (split, c.ctx)] where j1 > j0 {
                        var m = [Float](repeating: -.infinity, count: c.heads), l = [Float](repeating: 0, count: c.heads)
                        var acc = [Float](repeating: 0, count: c.heads * c.vdim)
                        sk_attention_decode(q, c.heads, c.qdim, cache, c.ldc, j0, j1, c.vdim, scale, &m, &l, &acc)
                        parts.append((m, l, acc))
                    }
                    // The same two ranges continuing one state (the second call starts from the first's sums).
                    var m = [Float](repeating: -.infinity, count: c.heads), l = [Float](repeating: 0, count: c.heads)
                    var acc = [Float](repeating: 0, count: c.heads * c.vdim)
                    for (j0, j1) in [(0, split), (split, c.ctx)] where j1 > j0 {
                        sk_attention_decode(q, c.heads, c.qdim, cache, c.ldc, j0, j1, c.vdim, scale, &m, &l, &acc)
                    }
                    for h in 0..<c.heads {
                        for d in 0..<c.vdim {
                            XCTAssertEqual(Double(acc[h * c.vdim + d] / l[h]), expected[h * c.vdim + d], accuracy: 2e-5,
                                           "\(name) \(c) continued at \(split) head \(h) column \(d)")
                        }
                    }
                    for h in 0..<c.heads {
                        let top = parts.map { $0.m[h] }.max()!
                        let total = parts.reduce(0.0) { $0 + Double($1.l[h]) * Foundation.exp(Double($1.m[h] - top)) }
                        for d in 0..<c.vdim {
                            let got = parts.reduce(0.0) {
                                $0 + Double($1.acc[h * c.vdim + d]) * Foundation.exp(Double($1.m[h] - top))
                            } / total
                            XCTAssertEqual(got, expected[h * c.vdim + d], accuracy: 2e-5,
                                           "\(name) \(c) split \(split) head \(h) column \(d)")
                        }
                    }
                }
            }
        }
    }
}
