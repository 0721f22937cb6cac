import XCTest
import SeekKernels
import VNNIEmulation

/// The integer batched products (sk_quantize_tokens + sk_matmul_q8_int8 / sk_matmul_q4_int8) against a
/// double-precision loop over the dequantized weights and the dequantized tokens, on every SIMD level and
/// through the emulated AVX-512 VNNI kernel (its 256-bit tile, which the 512-bit tile must equal bit for
/// bit); and the token quantizer against its definition.
final class KernelInt8GemmTests: XCTestCase {
    /// Row ranges that start inside a 16-row panel or an 8-row group and cross the 64-row block; widths
    /// with partial 32-blocks and past the 1024-column K chunk.
    private let shapes: [(rows: Int, cols: Int, begin: Int, end: Int)] = [
        (1, 1, 0, 1), (3, 7, 0, 3), (17, 33, 1, 17), (16, 64, 0, 16), (20, 40, 3, 19), (9, 100, 2, 9),
        (40, 256, 0, 40), (70, 257, 5, 70), (150, 300, 8, 150), (24, 1030, 7, 24), (33, 2080, 16, 33),
    ]
    private let tokenCounts = [1, 2, 5, 7, 12, 13, 16, 33, 50]

    private enum Format: CaseIterable { case q8, q4 }

    /// The quantized matrix and its exact float32 weights (d * q).
    private func weights(_ format: Format, _ values: [Float], rows: Int, cols: Int) -> (bytes: [UInt8], exact: [Float]) {
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

    /// Tokens quantized in two ranges (as two threads would), into a buffer of garbage.
    private func quantizeTokens(_ x: [Float], n: Int, cols: Int) -> [UInt8] {
        var buffer = [UInt8](repeating: 0xA5, count: sk_quantized_tokens_bytes(n, cols))
        let split = n / 2
        buffer.withUnsafeMutableBytes { raw in
            sk_quantize_tokens(x, n, cols, split, n, raw.baseAddress)
            sk_quantize_tokens(x, n, cols, 0, split, raw.baseAddress)
        }
        return buffer
    }

    /// Token t's values as the kernels see them (scale * q), checked against the definition on the way:
    /// scale = block amax / 127, q = round-half-even(x * 127 / amax), the documented buffer layout.
    private func dequantizedTokens(_ buffer: [UInt8], _ x: [Float], n: Int, cols: Int, file: StaticString = #filePath,
                                   line: UInt = #line) -> [Float] {
        let nb = (cols + 31) / 32
        var out = [Float](repeating: 0, count: n * cols)
        buffer.withUnsafeBytes { raw in
            let q = raw.baseAddress!.assumingMemoryBound(to: Int8.self)
            let scales = (raw.baseAddress! + n * nb * 32).assumingMemoryBound(to: Float.self)
            let sums = (raw.baseAddress! + n * nb * 36).assumingMemoryBound(to: Int32.self)
            var failures = 0
            for t in 0..<n {
                for b in 0..<nb {
                    let block = (0..<32).map { i in b * 32 + i < cols ? x[t * cols + b * 32 + i] : 0 }
                    let amax = block.map(abs).max()!
                    let inverse: Float = amax > 0 ? 127 / amax : 0
                    XCTAssertEqual(scales[t * nb + b], amax / 127, "token \(t) block \(b) scale", file: file, line: line)
                    var sum: Int32 = 0
                    for i in 0..<32 {
                        let expected = Int8(max(-127, min(127, (block[i] * inverse).rounded(.toNearestOrEven))))
                        let got = q[(t * nb + b) * 32 + i]
                        if got != expected && failures < 5 {
                            failures += 1
                            XCTFail("token \(t) column \(b * 32 + i): q \(got), expected \(expected)", file: file, line: line)
                        }
                        sum += Int32(got)
                        if b * 32 + i < cols { out[t * cols + b * 32 + i] = scales[t * nb + b] * Float(got) }
                    }
                    XCTAssertEqual(sums[t * nb + b], sum, "token \(t) block \(b) sum", file: file, line: line)
                }
            }
        }
        return out
    }

    func testInt8ProductsMatchDoublePrecision() {
        var random = KernelTestRandom(seed: 23)
        for shape in shapes {
            let values = random.floats(shape.rows * shape.cols, scale: 0.5)
            for format in Format.allCases {
                let (w, exact) = weights(format, values, rows: shape.rows, cols: shape.cols)
                for n in tokenCounts {
                    let x = random.floats(n * shape.cols)
                    let tokens = quantizeTokens(x, n: n, cols: shape.cols)
                    let xq = dequantizedTokens(tokens, x, n: n, cols: shape.cols)
                    let ldy = shape.rows + 3  // padding columns must stay untouched
                    var results: [(String, [Float])] = []
                    func product() -> [Float] {
                        var y = [Float](repeating: -7, count: n * ldy)
                        if format == .q8 {
                            sk_matmul_q8_int8(w, tokens, &y, n, shape.begin, shape.end, shape.cols, ldy)
                        } else {
                            sk_matmul_q4_int8(w, tokens, &y, n, shape.begin, shape.end, shape.cols, ldy)
                        }
                        return y
                    }
                    forEachSimdLevel { _, level in
                        // At the AVX-512 level, the VNNI tile and, where the CPU has them, the AMX tiles.
                        sk_set_amx(0)
                        results.append((level, product()))
                        if sk_set_amx(1) != 0 { results.append(("amx", product())) }
                    }
                    if vnni_emulation_available() != 0 {
                        var y = [Float](repeating: -7, count: n * ldy)
                        vnni_emulated_matmul_int8(format == .q4 ? 1 : 0, w, tokens, &y, n, shape.begin, shape.end, shape.cols, ldy)
                        results.append(("emulated-vnni", y))
                    }
                    for (level, y) in results {
                        check("\(level) \(format) n=\(n) \(shape)", exact: exact, x: xq, y: y, n: n, shape: shape, ldy: ldy)
                    }
                    // The 512-bit tile does the 256-bit tile's operations per lane: the same bits.
                    if let zmm = results.first(where: { $0.0 == "avx512-vnni" }),
                       let ymm = results.first(where: { $0.0 == "emulated-vnni" }) {
                        XCTAssertEqual(zmm.1, ymm.1, "avx512-vnni against the emulated 256-bit tile, \(format) n=\(n) \(shape)")
                    }
                    // The AMX tile does the 512-bit tile's integer and float operations: the same bits.
                    if let amx = results.first(where: { $0.0 == "amx" }),
                       let zmm = results.first(where: { $0.0 == "avx512-vnni" }) {
                        XCTAssertEqual(amx.1, zmm.1, "amx against avx512-vnni, \(format) n=\(n) \(shape)")
                    }
                }
            }
        }
    }

    /// The extreme integers: weights of ±127 (q8) / -8 (q4) against tokens of ±127, where AVX2's
    /// vpmaddubsw pair sums come closest to int16 and VNNI's offset bytes reach 255.
    func testExtremeValuesAreExact() {
        let rows = 16, cols = 64, n = 3
        for format in Format.allCases {
            var values = [Float](repeating: 0, count: rows * cols)
            for i in values.indices { values[i] = format == .q8 ? (i % 3 == 0 ? -1 : 1) : (i % 5 == 0 ? 0.875 : -1) }
            let (w, exact) = weights(format, values, rows: rows, cols: cols)
            var x = [Float](repeating: 0, count: n * cols)
            for i in x.indices { x[i] = i % 2 == 0 ? 1 : -1 }
            let tokens = quantizeTokens(x, n: n, cols: cols)
            let xq = dequantizedTokens(tokens, x, n: n, cols: cols)
            let shape = (rows: rows, cols: cols, begin: 0, end: rows)
            forEachSimdLevel { _, level in
                var y = [Float](repeating: -7, count: n * rows)
                if format == .q8 { sk_matmul_q8_int8(w, tokens, &y, n, 0, rows, cols, rows) } else {
                    sk_matmul_q4_int8(w, tokens, &y, n, 0, rows, cols, rows)
                }
                check("\(level) \(format) extremes", exact: exact, x: xq, y: y, n: n, shape: shape, ldy: rows)
            }
            if vnni_emulation_available() != 0 {
                var y = [Float](repeating: -7, count: n * rows)
                vnni_emulated_matmul_int8(format == .q4 ? 1 : 0, w, tokens, &y, n, 0, rows, cols, rows)
                check("emulated-vnni \(format) extremes", exact: exact, x: xq, y: y, n: n, shape: shape, ldy: rows)
            }
        }
    }

    /// The integer path against the float-token product on the same weights: the difference is the token
    /// rounding alone, at most half a step (block amax / 254) per element.
    func testInt8CloseToFloatTokens() {
        var random = KernelTestRandom(seed: 5)
        let rows = 48, cols = 512, n = 9
        let values = random.floats(rows * cols, scale: 0.5)
        for format in Format.allCases {
            let (w, exact) = weights(format, values, rows: rows, cols: cols)
            let x = random.floats(n * cols)
            let tokens = quantizeTokens(x, n: n, cols: cols)
            var y = [Float](repeating: 0, count: n * rows), reference = y
            if format == .q8 {
                sk_matmul_q8_int8(w, tokens, &y, n, 0, rows, cols, rows)
                sk_matmul_q8(w, x, &reference, n, 0, rows, cols, rows)
            } else {
                sk_matmul_q4_int8(w, tokens, &y, n, 0, rows, cols, rows)
                sk_matmul_q4(w, x, &reference, n, 0, rows, cols, rows)
            }
            for t in 0..<n {
                for r in 0..<rows {
                    var bound = 0.0
                    for b in 0..<(cols / 32) {
                        let amax = (0..<32).map { abs(Double(x[t * cols + b * 32 + $0])) }.max()!
                        for i in 0..<32 { bound += abs(Double(exact[r * cols + b * 32 + i])) * amax / 254 }
                    }
                    XCTAssertLessThanOrEqual(abs(Double(y[t * rows + r] - reference[t * rows + r])), bound * 1.001 + 1e-6,
                                             "\(format) t=\(t) r=\(r)")
                }
            }
        }
    }

    /// Relative error bound 1e-5 · sqrt(cols) of the sum of |products| (float32 summation order), and
    /// nothing written outside the row range or past it in ldy.
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
}
