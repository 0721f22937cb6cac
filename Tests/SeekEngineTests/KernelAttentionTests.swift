import XCTest
import SeekKernels

/// The one-token attention value product against a naive loop, on every SIMD level: head counts and
/// column ranges that are not multiples of the 4 x 16 tile, a cache row stride wider than the range.
final class KernelAttentionTests: XCTestCase {
    func testValuesMatchNaive() {
        var random = KernelTestRandom(seed: 11)
        let cases: [(heads: Int, ctx: Int, ldc: Int, d0: Int, d1: Int)] = [
            (1, 1, 16, 0, 16), (3, 5, 70, 3, 40), (4, 33, 64, 0, 64), (16, 300, 576, 0, 512),
            (16, 300, 576, 256, 512), (17, 19, 100, 16, 97), (5, 2, 48, 0, 7),
        ]
        for c in cases {
            let p = random.floats(c.heads * c.ctx)
            let cache = random.floats(c.ctx * c.ldc)
            let ldo = c.d1 + 3
            forEachSimdLevel { _, name in
                var out = [Float](repeating: -7, count: c.heads * ldo)
                sk_attention_values(p, c.ctx, cache, c.ldc, c.ctx, c.heads, &out, ldo, c.d0, c.d1)
                for h in 0..<c.heads {
                    for d in 0..<ldo {
                        guard d >= c.d0 && d < c.d1 else {
                            XCTAssertEqual(out[h * ldo + d], -7, "\(name) \(c): column \(d) outside the range was written")
                            continue
                        }
                        var exact = 0.0, magnitude = 0.0
                        for j in 0..<c.ctx {
                            exact += Double(p[h * c.ctx + j]) * Double(cache[j * c.ldc + d])
                            magnitude += abs(Double(p[h * c.ctx + j]) * Double(cache[j * c.ldc + d]))
                        }
                        XCTAssertLessThanOrEqual(abs(Double(out[h * ldo + d]) - exact), 1e-6 * magnitude + 1e-7,
                                                 "\(name) \(c) head \(h) column \(d)")
                    }
                }
            }
        }
    }
}
