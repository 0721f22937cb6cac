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

    /// The largest |c[i, j] - Σ_q product(i, j, q)| over the sum of the products' magnitudes: float32
    /// summation gives a few ulps of that.
    private func worstRelativeError(_ c: [Float], m: Int, n: Int, k: Int, _ product: (Int, Int, Int) -> Double) -> Double {
        var worst = 0.0
        for i in 0..<m {
            for j in 0..<n {
                var exact = 0.0, magnitude = 0.0
                for q in 0..<k {
                    let p = product(i, j, q)
                    exact += p
                    magnitude += abs(p)
                }
                worst = max(worst, abs(Double(c[i * n + j]) - exact) / max(magnitude, 1e-30))
            }
        }
        return worst
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
            let worst = worstRelativeError(y, m: n, n: rows, k: cols) { t, r, k in
                Double(naiveBF16(w[r * cols + k])) * Double(x[t * cols + k])
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

    // MARK: float32 x float32 (attention's products)

    /// C = A · Bᵀ through both splits.
    private func amxFloatProduct(_ a: [Float], _ b: [Float], m: Int, n: Int, k: Int) -> [Float] {
        let aSplit = UnsafeMutableRawPointer.allocate(byteCount: max(1, sk_bf16x3_rows_bytes(m, k)), alignment: 64)
        let bSplit = UnsafeMutableRawPointer.allocate(byteCount: max(1, sk_bf16x3_tokens_bytes(n, k)), alignment: 64)
        defer { aSplit.deallocate(); bSplit.deallocate() }
        sk_split_rows_bf16x3(a, k, m, k, aSplit)
        sk_split_tokens_bf16x3(b, n, k, 0, (n + 15) / 16, bSplit)
        var c = [Float](repeating: .nan, count: m * n)
        sk_amx_matmul_f32(aSplit, m, 0, m, bSplit, n, k, &c, n)
        return c
    }

    /// Unit rows of A pick single values of B: all nine part products must come back to the float32 bits.
    func testFloatProductsReproduceEveryFloat32Bit() {
        let m = 20, n = 37, k = 64
        var a = [Float](repeating: 0, count: m * k)
        for i in 0..<m { a[i * k + (i * 5) % k] = 1 }
        var random = KernelTestRandom(seed: 21)
        let b = random.floats(n * k, scale: 5)
        let c = amxFloatProduct(a, b, m: m, n: n, k: k)
        for i in 0..<m {
            for j in 0..<n { XCTAssertEqual(c[i * n + j].bitPattern, b[j * k + (i * 5) % k].bitPattern, "(\(i), \(j))") }
        }
        // And the other side: unit rows of B pick values of A.
        var unit = [Float](repeating: 0, count: n * k)
        for j in 0..<n { unit[j * k + (j * 3) % k] = 1 }
        let a2 = random.floats(m * k, scale: 5)
        let c2 = amxFloatProduct(a2, unit, m: m, n: n, k: k)
        for i in 0..<m {
            for j in 0..<n { XCTAssertEqual(c2[i * n + j].bitPattern, a2[i * k + (j * 3) % k].bitPattern, "(\(i), \(j))") }
        }
    }

    func testFloatProductsMatchFloat64AcrossEdges() {
        // (m, n, k): whole tiles; partial row and column tiles; an odd number of column tiles; k past the
        // last 32; one row; attention's shapes.
        let shapes = [(16, 32, 32), (17, 33, 100), (40, 16, 64), (1, 5, 7), (64, 256, 192), (37, 128, 256)]
        for (index, (m, n, k)) in shapes.enumerated() {
            var random = KernelTestRandom(seed: UInt64(300 + index))
            let a = random.floats(m * k, scale: 3), b = random.floats(n * k, scale: 3)
            let c = amxFloatProduct(a, b, m: m, n: n, k: k)
            let worst = worstRelativeError(c, m: m, n: n, k: k) { i, j, q in Double(a[i * k + q]) * Double(b[j * k + q]) }
            XCTAssertLessThan(worst, 4e-7, "m \(m) n \(n) k \(k)")
        }
    }

    /// Rows [row0, row0 + m) of a taller split (attention splits a head's queries once, then takes
    /// blocks of them) give the whole product's rows, bit for bit, from any starting row.
    func testFloatProductsOfARowBlock() {
        let rows = 45, n = 40, k = 96
        var random = KernelTestRandom(seed: 41)
        let a = random.floats(rows * k), b = random.floats(n * k)
        let whole = amxFloatProduct(a, b, m: rows, n: n, k: k)
        let aSplit = UnsafeMutableRawPointer.allocate(byteCount: sk_bf16x3_rows_bytes(rows, k), alignment: 64)
        let bSplit = UnsafeMutableRawPointer.allocate(byteCount: sk_bf16x3_tokens_bytes(n, k), alignment: 64)
        defer { aSplit.deallocate(); bSplit.deallocate() }
        sk_split_rows_bf16x3(a, k, rows, k, aSplit)
        sk_split_tokens_bf16x3(b, n, k, 0, (n + 15) / 16, bSplit)
        for (row0, m) in [(0, 16), (5, 27), (29, 16), (44, 1)] {
            var c = [Float](repeating: .nan, count: m * n)
            sk_amx_matmul_f32(aSplit, rows, row0, m, bSplit, n, k, &c, n)
            XCTAssertEqual(c.map(\.bitPattern), whole[(row0 * n)..<((row0 + m) * n)].map(\.bitPattern), "rows \(row0)..<\(row0 + m)")
        }
    }
}
