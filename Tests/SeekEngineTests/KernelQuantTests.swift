import XCTest
import SeekKernels
import VNNIEmulation

/// The q8 / q4 block formats: quantization error bounds, and the quantized matrix-vector products
/// against a naive loop over the dequantized weights, on every SIMD level.
final class KernelQuantTests: XCTestCase {
    private enum Format: CaseIterable { case q8, q4 }

    private func matrixBytes(_ format: Format, _ rows: Int, _ cols: Int) -> Int {
        format == .q8 ? sk_q8_matrix_bytes(rows, cols) : sk_q4_matrix_bytes(rows, cols)
    }

    /// Quantized in two row ranges (as two threads would), into a buffer of garbage, so a byte left
    /// unwritten shows up.
    private func quantize(_ format: Format, _ w: [Float], rows: Int, cols: Int) -> [UInt8] {
        var q = [UInt8](repeating: 0xA5, count: matrixBytes(format, rows, cols))
        let split = rows / 3
        for (r0, r1) in [(split, rows), (0, split)] {
            w.withUnsafeBufferPointer { src in
                let part = src.baseAddress! + r0 * cols
                if format == .q8 { sk_quantize_q8_rows(part, &q, rows, cols, r0, r1) } else {
                    sk_quantize_q4_rows(part, &q, rows, cols, r0, r1)
                }
            }
        }
        return q
    }

    private func dequantize(_ format: Format, _ q: [UInt8], rows: Int, cols: Int) -> [Float] {
        var w = [Float](repeating: 0, count: rows * cols)
        if format == .q8 { sk_dequantize_q8_rows(q, &w, cols, 0, rows) } else { sk_dequantize_q4_rows(q, &w, cols, 0, rows) }
        return w
    }

    func testMatrixBytes() {
        XCTAssertEqual(sk_q8_matrix_bytes(2048, 2048), 2048 * 2048 / 32 * 34)
        XCTAssertEqual(sk_q4_matrix_bytes(2048, 2048), 2048 * 2048 / 32 * 18)
        XCTAssertEqual(sk_q8_matrix_bytes(9, 33), 2 * 2 * 8 * 34)  // rows pad to 16, columns to 64
        XCTAssertEqual(sk_q4_matrix_bytes(1, 1), 8 * 18)
    }

    /// The byte layout documented in SeekKernels.h, checked byte by byte on integer-valued weights whose
    /// scale is exactly 1 (q8: a 127 in every block; q4: a -8), including the zero padding rows.
    func testInterleavedLayout() {
        let rows = 9, cols = 64, nb = 2
        for format in Format.allCases {
            var w = [Float](repeating: 0, count: rows * cols)
            for r in 0..<rows {
                for c in 0..<cols {
                    w[r * cols + c] = format == .q8 ? Float((r * 37 + c * 11) % 255 - 127) : Float((r * 5 + c * 3) % 16 - 8)
                }
                for b in 0..<nb { w[r * cols + b * 32 + (r + b) % 32] = format == .q8 ? 127 : -8 }
            }
            let q = quantize(format, w, rows: rows, cols: cols)
            let blockBytes = format == .q8 ? 34 : 18
            for r in 0..<16 {
                let (g, j) = (r / 8, r % 8)
                for b in 0..<nb {
                    let base = (g * nb + b) * 8 * blockBytes
                    let scale = UInt16(q[base + 2 * j]) | UInt16(q[base + 2 * j + 1]) << 8
                    XCTAssertEqual(scale, r < rows ? 0x3C00 : 0, "\(format) row \(r) block \(b) scale")
                    for i in 0..<32 {
                        let expected = r < rows ? Int(w[r * cols + b * 32 + i]) : 0
                        if format == .q8 {
                            XCTAssertEqual(Int(Int8(bitPattern: q[base + 16 + (i / 4) * 32 + j * 4 + i % 4])), expected,
                                           "q8 row \(r) column \(b * 32 + i)")
                        } else {
                            let byte = q[base + 16 + ((i % 16) / 4) * 32 + j * 4 + i % 4]
                            let nibble = i < 16 ? byte & 15 : byte >> 4
                            XCTAssertEqual(Int(nibble) - 8, expected, "q4 row \(r) column \(b * 32 + i)")
                        }
                    }
                }
            }
        }
    }

    func testQuantizeDequantizeErrorBounds() {
        var random = KernelTestRandom(seed: 3)
        for cols in [32, 50, 2048] {
            let rows = 7
            // Blocks of very different magnitudes, including an all-zero row.
            var w = [Float](repeating: 0, count: rows * cols)
            for r in 1..<rows {
                let scale = Float(pow(10.0, Double(r) - 4))
                for c in 0..<cols { w[r * cols + c] = random.float() * scale }
            }
            for format in Format.allCases {
                let back = dequantize(format, quantize(format, w, rows: rows, cols: cols), rows: rows, cols: cols)
                var sumSquaredError = 0.0, sumSquaredMax = 0.0
                for r in 0..<rows {
                    for block in stride(from: 0, to: cols, by: 32) {
                        let range = (r * cols + block)..<(r * cols + min(block + 32, cols))
                        let amax = w[range].map(abs).max()!
                        for i in range {
                            let error = abs(back[i] - w[i])
                            // q8: d/2 with d = amax/127 rounded up to f16; q4: |d| = amax/8 at worst (clamped
                            // +7). The f16 step: relative 2^-10, or 2^-24 where the scale is subnormal.
                            let step = format == .q8 ? amax / 127 : amax / 8
                            let scale = max(step * (1 + 1.0 / 1024), step + 0x1p-24)
                            let bound = format == .q8 ? scale / 2 : scale
                            XCTAssertLessThanOrEqual(error, bound + 1e-12, "\(format) cols \(cols) element \(i)")
                            sumSquaredError += Double(error * error)
                            sumSquaredMax += Double(amax * amax)
                        }
                    }
                    if r == 0 { XCTAssertTrue(back[0..<cols].allSatisfy { $0 == 0 }, "zero row stays zero") }
                }
                // Typical error is far below the worst case: RMS error / block max.
                let relativeRMS = (sumSquaredError / sumSquaredMax).squareRoot()
                XCTAssertLessThan(relativeRMS, format == .q8 ? 0.003 : 0.05, "\(format) RMS error")
            }
        }
    }

    /// The SIMD block quantizers (used at load time) write exactly the portable bytes, on blocks with
    /// ties between +max and -max, all zeros, tiny (subnormal-scale) and huge values.
    func testQuantizeIsTheSameOnEverySimdLevel() {
        var random = KernelTestRandom(seed: 6)
        let rows = 19, cols = 100
        var w = random.floats(rows * cols)
        for c in 0..<cols { w[cols + c] = 0 }                       // an all-zero row
        for c in 0..<cols { w[2 * cols + c] *= 1e-7 }               // scales below f16's normal range
        for c in 0..<cols { w[3 * cols + c] *= 3e4 }                // large values
        w[4 * cols + 3] = 0.9; w[4 * cols + 9] = -0.9               // +max before -max
        w[5 * cols + 3] = -0.9; w[5 * cols + 9] = 0.9               // -max before +max
        for c in 0..<cols { w[6 * cols + c] = Float(c % 5) * 0.25 - 0.5 }  // many exact ties
        for format in Format.allCases {
            var bytes: [[UInt8]] = []
            forEachSimdLevel { _, _ in bytes.append(quantize(format, w, rows: rows, cols: cols)) }
            for other in bytes.dropFirst() {
                let first = other.indices.first { other[$0] != bytes[0][$0] }
                XCTAssertNil(first, "\(format): SIMD and portable bytes differ first at byte \(first ?? -1)")
            }
        }
    }

    func testQuantizeFromBF16MatchesF32() {
        var random = KernelTestRandom(seed: 4)
        let rows = 3, cols = 100
        var bf16 = [UInt16](repeating: 0, count: rows * cols)
        sk_f32_to_bf16(random.floats(rows * cols), &bf16, bf16.count)
        let f32 = bf16.map(naiveBF16)
        for format in Format.allCases {
            var fromBF16 = [UInt8](repeating: 0, count: matrixBytes(format, rows, cols))
            if format == .q8 { sk_quantize_q8_rows_bf16(bf16, &fromBF16, rows, cols, 0, rows) } else {
                sk_quantize_q4_rows_bf16(bf16, &fromBF16, rows, cols, 0, rows)
            }
            XCTAssertEqual(fromBF16, quantize(format, f32, rows: rows, cols: cols), "\(format)")
        }
    }

    func testQuantizedMatvecMatchesNaive() {
        var random = KernelTestRandom(seed: 5)
        for format in Format.allCases {
            for shape in kernelTestShapes {
                let w = random.floats(shape.rows * shape.cols, scale: 0.05)
                var x = random.floats(shape.cols)
                if shape.cols > 40 { for c in 0..<32 { x[c] *= 1e-3 } }  // one block of small activations
                let q = quantize(format, w, rows: shape.rows, cols: shape.cols)
                let deq = dequantize(format, q, rows: shape.rows, cols: shape.cols)
                var portable: [Float] = []
                forEachSimdLevel { level, name in
                    var y = [Float](repeating: -7, count: shape.rows)
                    if format == .q8 { sk_matvec_q8(q, x, &y, shape.begin, shape.end, shape.cols) } else {
                        sk_matvec_q4(q, x, &y, shape.begin, shape.end, shape.cols)
                    }
                    if level == 0 { portable = y }
                    for r in 0..<shape.rows {
                        guard r >= shape.begin && r < shape.end else {
                            XCTAssertEqual(y[r], -7, "\(name) \(format): row \(r) outside the range was written")
                            continue
                        }
                        // Reference: exact dot with the dequantized weights; the int8 activation may move
                        // each term by |w| * (block amax of x) / 254.
                        var exact = 0.0, bound = 0.0
                        for c in 0..<shape.cols {
                            let blockStart = c / 32 * 32
                            let xmax = x[blockStart..<min(blockStart + 32, shape.cols)].map(abs).max()!
                            let wv = Double(deq[r * shape.cols + c])
                            exact += wv * Double(x[c])
                            bound += abs(wv) * (Double(xmax) / 254 * 1.001 + abs(Double(x[c])) * 1e-6)
                        }
                        XCTAssertLessThanOrEqual(abs(Double(y[r]) - exact), bound + 1e-7,
                                                 "\(name) \(format) \(shape) row \(r): \(y[r]) vs \(exact)")
                        // SIMD and portable compute the same integer sums: only float rounding differs.
                        let agree = abs(y[r] - portable[r]) <= 1e-5 * (abs(portable[r]) + Float(bound))
                        XCTAssertTrue(agree, "\(name) \(format) \(shape) row \(r): \(y[r]) vs portable \(portable[r])")
                    }
                }
            }
        }
    }

    /// The AVX-512 VNNI kernels cannot run on this CPU; their code, compiled for AVX2 with vpdpbusd
    /// emulated (Tests/VNNIEmulation), must give the portable kernels' results.
    func testVNNIKernelLogicMatchesPortable() throws {
        guard vnni_emulation_available() != 0 else { throw XCTSkip("needs AVX2 to emulate") }
        var random = KernelTestRandom(seed: 7)
        for format in Format.allCases {
            for shape in kernelTestShapes where shape.cols <= 16384 {
                let w = random.floats(shape.rows * shape.cols, scale: 0.05)
                let x = random.floats(shape.cols)
                let q = quantize(format, w, rows: shape.rows, cols: shape.cols)
                var expected = [Float](repeating: -7, count: shape.rows), emulated = expected
                forEachSimdLevel { level, _ in
                    guard level == SK_SIMD_PORTABLE else { return }
                    if format == .q8 { sk_matvec_q8(q, x, &expected, shape.begin, shape.end, shape.cols) } else {
                        sk_matvec_q4(q, x, &expected, shape.begin, shape.end, shape.cols)
                    }
                }
                if format == .q8 { vnni_emulated_matvec_q8(q, x, &emulated, shape.begin, shape.end, shape.cols) } else {
                    vnni_emulated_matvec_q4(q, x, &emulated, shape.begin, shape.end, shape.cols)
                }
                for r in 0..<shape.rows {
                    let tolerance = 1e-5 * max(1, abs(expected[r]))
                    XCTAssertLessThanOrEqual(abs(emulated[r] - expected[r]), tolerance, "\(format) \(shape) row \(r)")
                }
            }
        }
    }
}
