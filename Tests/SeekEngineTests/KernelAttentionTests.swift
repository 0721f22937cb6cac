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
            let expected = referenceDecodeAttention(q: q, heads: c.heads, qdim: c.qdim, cache: cache, rows: c.ctx, ldc: c.ldc,
                                                    vdim: c.vdim, scale: scale)
            forEachSimdLevel { _, name in
                for split in Set([0, c.ctx / 3, c.ctx]) {  // one call, or two ranges merged or continued
                    let errors = splitDecodeAttentionErrors(expected: expected, heads: c.heads, vdim: c.vdim, rows: c.ctx,
                                                            split: split) { j0, j1, m, l, acc in
                        sk_attention_decode(q, c.heads, c.qdim, cache, c.ldc, j0, j1, c.vdim, scale, &m, &l, &acc)
                    }
                    XCTAssertLessThan(errors.continued, 2e-5, "\(name) \(c) continued at \(split)")
                    XCTAssertLessThan(errors.merged, 2e-5, "\(name) \(c) split at \(split)")
                }
            }
        }
    }
}
