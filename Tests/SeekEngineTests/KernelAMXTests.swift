import XCTest
import SeekKernels

/// The AMX bf16 products (gemm_amx.c): the three-part split of the float32 tokens is exact, and the
/// products equal float64 references to float32 accuracy over shapes that cross every edge (rows past
/// the last 16, columns past the last 32, partial token blocks, column and token chunks). Skipped where
/// the CPU or OS has no AMX; the engine's bf16 oracle tests cover it end to end where it has.
final class KernelAMXTests: XCTestCase {
    override func setUpWithError() throws {
        try XCTSkipUnless(sk_amx_supported() != 0, "this CPU or OS has no AMX bf16 tiles")
        XCTAssertEqual(sk_set_amx(1), 1)
    }

    override func tearDown() {
        sk_set_amx(1)
    }

    /// Y = X · Wᵀ through the split tokens.
    private func amxProduct(_ w: [UInt16], _ x: [Float], n: Int, rows: Int, cols: Int,
                            rowRange: Range<Int>? = nil) -> [Float] {
        let range = rowRange ?? 0..<rows
        var y = [Float](repeating: .nan, count: n * rows)
        let bytes = sk_bf16x3_tokens_bytes(n, cols)
        let tokens = UnsafeMutableRawPointer.allocate(byteCount: max(bytes, 1), alignment: 64)
        defer { tokens.deallocate() }
        // Two calls over halves of the blocks, as workers fill them.
        let blocks = (n + 15) / 16
        sk_split_tokens_bf16x3(x, n, cols, 0, blocks / 2, tokens)
        sk_split_tokens_bf16x3(x, n, cols, blocks / 2, blocks, tokens)
        sk_matmul_bf16_amx(w, tokens, x, &y, n, range.lowerBound, range.upperBound, cols, rows)
        return y
    }

    private func randomBF16(_ count: Int, scale: Float, seed: UInt64) -> [UInt16] {
        var random = KernelTestRandom(seed: seed)
        return (0..<count).map { _ in UInt16(truncatingIfNeeded: (random.float() * scale).bitPattern >> 16) }
    }

    /// Unit weights pick single token values: hi + mid + lo must give back every float32 bit (two bf16
    /// parts would lose the last 8 bits of the mantissa).
    func testSplitTokensReproduceEveryFloat32Bit() {
        let rows = 64, cols = 64, n = 21
        var w = [UInt16](repeating: 0, count: rows * cols)
        for r in 0..<rows { w[r * cols + (r * 7) % cols] = 0x3F80 }  // 1.0
        var random = KernelTestRandom(seed: 11)
        var x = random.floats(n * cols, scale: 3)
        x[0] = 1 + Float.ulpOfOne  // the last mantissa bit alone
        x[1] = -0x1.fffffep-3
        x[2] = 0
        let y = amxProduct(w, x, n: n, rows: rows, cols: cols)
        for t in 0..<n {
            for r in 0..<rows {
                XCTAssertEqual(y[t * rows + r].bitPattern, x[t * cols + (r * 7) % cols].bitPattern, "token \(t) row \(r)")
            }
        }
    }

    func testProductsMatchFloat64AcrossEdges() {
        // (rows, cols, tokens): whole tiles; rows past the last 16 (served by the float kernels); columns
        // past the last 32; one token; partial blocks; more columns than one chunk (1,024) and more
        // token blocks than one chunk holds.
        let shapes = [(32, 64, 16), (48, 96, 33), (40, 100, 17), (16, 32, 1), (64, 2080, 300), (80, 1408, 48),
                      (16, 3000, 9)]
        for (index, (rows, cols, n)) in shapes.enumerated() {
            let w = randomBF16(rows * cols, scale: 0.1, seed: UInt64(100 + index))
            var random = KernelTestRandom(seed: UInt64(200 + index))
            let x = random.floats(n * cols, scale: 2)
            let y = amxProduct(w, x, n: n, rows: rows, cols: cols)
            var worst = 0.0
            for t in 0..<n {
                for r in 0..<rows {
                    var exact = 0.0, magnitude = 0.0
                    for k in 0..<cols {
                        let product = Double(naiveBF16(w[r * cols + k])) * Double(x[t * cols + k])
                        exact += product
                        magnitude += abs(product)
                    }
                    // float32 summation: a few ulps of the sum of magnitudes.
                    let error = abs(Double(y[t * rows + r]) - exact) / max(magnitude, 1e-30)
                    worst = max(worst, error)
                }
            }
            XCTAssertLessThan(worst, 4e-7, "rows \(rows) cols \(cols) tokens \(n)")
        }
    }

    /// A row range inside the matrix writes only its rows.
    func testRowRangeWritesOnlyItsRows() {
        let rows = 96, cols = 64, n = 20
        let w = randomBF16(rows * cols, scale: 0.1, seed: 5)
        var random = KernelTestRandom(seed: 6)
        let x = random.floats(n * cols)
        let y = amxProduct(w, x, n: n, rows: rows, cols: cols, rowRange: 32..<72)
        for t in 0..<n {
            for r in 0..<rows {
                XCTAssertEqual(y[t * rows + r].isNaN, !(32..<72).contains(r), "token \(t) row \(r)")
            }
        }
    }

    /// Switched off, the entry point is the float kernels' product, bit for bit.
    func testSwitchedOffIsTheFloatProduct() {
        let rows = 48, cols = 96, n = 19
        let w = randomBF16(rows * cols, scale: 0.1, seed: 7)
        var random = KernelTestRandom(seed: 8)
        let x = random.floats(n * cols)
        XCTAssertEqual(sk_set_amx(0), 0)
        let off = amxProduct(w, x, n: n, rows: rows, cols: cols)
        var float = [Float](repeating: 0, count: n * rows)
        sk_matmul_bf16(w, x, &float, n, 0, rows, cols, rows)
        XCTAssertEqual(off.map(\.bitPattern), float.map(\.bitPattern))
        XCTAssertEqual(sk_set_amx(1), 1)
        let on = amxProduct(w, x, n: n, rows: rows, cols: cols)
        XCTAssertNotEqual(on.map(\.bitPattern), float.map(\.bitPattern), "the tiles add in another order")
    }
}
