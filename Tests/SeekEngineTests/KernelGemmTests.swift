import XCTest
import SeekKernels

/// The batched products Y = X · Wᵀ (sk_matmul_*) against a double-precision loop over the exactly
/// converted (or dequantized) weights, on every SIMD level, for odd token counts, row ranges and widths.
final class KernelGemmTests: XCTestCase {
    /// (rows, cols, begin, end): widths around the 8/16-wide vectors and the 256-column K block, row
    /// ranges that start mid-panel and cross the 64-row block.
    private let shapes: [(rows: Int, cols: Int, begin: Int, end: Int)] = [
        (1, 1, 0, 1), (3, 7, 0, 3), (17, 15, 1, 17), (16, 16, 0, 16), (20, 33, 3, 19), (9, 100, 2, 9),
        (40, 256, 0, 40), (70, 257, 5, 70), (150, 300, 0, 150), (33, 517, 16, 33), (24, 1030, 7, 24),
    ]
    private let tokenCounts = [1, 2, 5, 7, 13, 33]

    private enum Format: CaseIterable { case f32, bf16, f16, q8, q4 }

    /// Stored weights of `format` for `values`, and the float32 weights they stand for exactly.
    private func encode(_ values: [Float], rows: Int, cols: Int, as format: Format) -> (bytes: [UInt8], exact: [Float]) {
        switch format {
        case .f32:
            return (values.withUnsafeBytes { Array($0) }, values)
        case .bf16:
            var bits = [UInt16](repeating: 0, count: values.count)
            sk_f32_to_bf16(values, &bits, values.count)
            return (bits.withUnsafeBytes { Array($0) }, bits.map(naiveBF16))
        case .f16:
            // Exact f16 values: keep 10 mantissa bits of values in the normal f16 range.
            let bits = values.map { halfBits(Float(bitPattern: $0.bitPattern & 0xFFFF_E000)) }
            return (bits.withUnsafeBytes { Array($0) }, bits.map(naiveF16))
        case .q8, .q4:
            var bytes = [UInt8](repeating: 0, count: format == .q8 ? sk_q8_matrix_bytes(rows, cols) : sk_q4_matrix_bytes(rows, cols))
            var exact = [Float](repeating: 0, count: rows * cols)
            if format == .q8 {
                sk_quantize_q8_rows(values, &bytes, rows, cols, 0, rows)
                sk_dequantize_q8_rows(bytes, &exact, cols, 0, rows)
            } else {
                sk_quantize_q4_rows(values, &bytes, rows, cols, 0, rows)
                sk_dequantize_q4_rows(bytes, &exact, cols, 0, rows)
            }
            return (bytes, exact)
        }
    }

    private func matmul(_ format: Format, _ w: [UInt8], _ x: [Float], _ y: inout [Float], n: Int,
                        shape: (rows: Int, cols: Int, begin: Int, end: Int), ldy: Int) {
        w.withUnsafeBytes { raw in
            switch format {
            case .f32:
                sk_matmul_f32(raw.bindMemory(to: Float.self).baseAddress, x, &y, n, shape.begin, shape.end, shape.cols, ldy)
            case .bf16:
                sk_matmul_bf16(raw.bindMemory(to: UInt16.self).baseAddress, x, &y, n, shape.begin, shape.end, shape.cols, ldy)
            case .f16:
                sk_matmul_f16(raw.bindMemory(to: UInt16.self).baseAddress, x, &y, n, shape.begin, shape.end, shape.cols, ldy)
            case .q8:
                sk_matmul_q8(raw.baseAddress, x, &y, n, shape.begin, shape.end, shape.cols, ldy)
            case .q4:
                sk_matmul_q4(raw.baseAddress, x, &y, n, shape.begin, shape.end, shape.cols, ldy)
            }
        }
    }

    func testMatmulMatchesDoublePrecision() {
        var random = KernelTestRandom(seed: 11)
        forEachSimdLevel { _, level in
            for shape in shapes {
                let values = random.floats(shape.rows * shape.cols, scale: 0.5)
                for format in Format.allCases {
                    let (bytes, exact) = encode(values, rows: shape.rows, cols: shape.cols, as: format)
                    for n in tokenCounts {
                        let x = random.floats(n * shape.cols)
                        let ldy = shape.rows + 3  // padding columns must stay untouched
                        var y = [Float](repeating: -7, count: n * ldy)
                        matmul(format, bytes, x, &y, n: n, shape: shape, ldy: ldy)
                        check("\(level) \(format) n=\(n) \(shape)", exact: exact, x: x, y: y, n: n, shape: shape, ldy: ldy)
                    }
                }
            }
        }
    }

    /// The AVX-512 tile (16 rows in a register, up to 12 tokens) sums each product in the AVX2 tile's
    /// order, so the two levels give the same bits, for token counts around its 12-token tiles.
    func testAVX512TileEqualsAVX2Bitwise() throws {
        guard sk_simd_level_supported() >= Int32(SK_SIMD_AVX512) else { throw XCTSkip("no AVX-512 on this CPU") }
        defer { sk_set_simd_level(sk_simd_level_supported()) }
        var random = KernelTestRandom(seed: 12)
        for shape in shapes {
            let values = random.floats(shape.rows * shape.cols, scale: 0.5)
            for format in Format.allCases {
                let (bytes, _) = encode(values, rows: shape.rows, cols: shape.cols, as: format)
                for n in [1, 11, 12, 13, 25] {
                    let x = random.floats(n * shape.cols)
                    let ldy = shape.rows + 3
                    var results: [[Float]] = []
                    for level in [Int32(SK_SIMD_AVX2), Int32(SK_SIMD_AVX512)] {
                        sk_set_simd_level(level)
                        var y = [Float](repeating: -7, count: n * ldy)
                        matmul(format, bytes, x, &y, n: n, shape: shape, ldy: ldy)
                        results.append(y)
                    }
                    XCTAssertEqual(results[0], results[1], "\(format) n=\(n) \(shape)")
                }
            }
        }
    }

    /// No columns: every product in the range is an empty sum.
    func testZeroColumnsGiveZeros() {
        forEachSimdLevel { _, level in
            var y = [Float](repeating: -7, count: 3 * 5)
            let w = [UInt16](repeating: 0x3F80, count: 1)
            let x = [Float](repeating: 1, count: 1)
            sk_matmul_bf16(w, x, &y, 3, 1, 4, 0, 5)
            for t in 0..<3 {
                for r in 0..<5 {
                    XCTAssertEqual(y[t * 5 + r], (1..<4).contains(r) ? 0 : -7, "\(level) t=\(t) r=\(r)")
                }
            }
        }
    }

    /// Relative error bound 1e-5 · sqrt(cols) of the sum of |products| (float32 rounding of a sum whose
    /// order differs from the reference), and nothing written outside the row range or past it in ldy.
    private func check(_ name: String, exact w: [Float], x: [Float], y: [Float], n: Int,
                       shape: (rows: Int, cols: Int, begin: Int, end: Int), ldy: Int,
                       file: StaticString = #filePath, line: UInt = #line) {
        var failures = 0
        for t in 0..<n {
            for r in 0..<ldy {
                let got = y[t * ldy + r]
                guard r >= shape.begin && r < shape.end else {
                    if got != -7 && failures < 5 {
                        failures += 1
                        XCTFail("\(name): t=\(t) r=\(r) outside the range was written", file: file, line: line)
                    }
                    continue
                }
                var sum = 0.0, magnitude = 0.0
                for c in 0..<shape.cols {
                    let p = Double(w[r * shape.cols + c]) * Double(x[t * shape.cols + c])
                    sum += p
                    magnitude += abs(p)
                }
                let tolerance = 1e-5 * Double(shape.cols).squareRoot() * magnitude + 1e-30
                if abs(Double(got) - sum) > tolerance && failures < 5 {
                    failures += 1
                    XCTFail("\(name): t=\(t) r=\(r): \(got) vs \(sum)", file: file, line: line)
                }
            }
        }
    }

    /// Float to f16 bits for values already exactly representable in f16's normal range (others: zero).
    private func halfBits(_ value: Float) -> UInt16 {
        let bits = value.bitPattern
        let sign = UInt16((bits >> 16) & 0x8000)
        let exponent = Int((bits >> 23) & 0xFF) - 127 + 15
        guard value != 0, exponent > 0 && exponent < 31 else { return sign }
        return sign | UInt16(exponent << 10) | UInt16((bits >> 13) & 0x3FF)
    }
}
