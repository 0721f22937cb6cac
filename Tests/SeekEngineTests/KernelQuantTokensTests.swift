import XCTest
import SeekKernels
import VNNIEmulation

/// The several-token quantized matrix-vector products (sk_matvec_q8_tokens / sk_matvec_q4_tokens: several
/// sequences decoding together) against the one-token kernels they must reproduce: each token's rows are
/// exactly sk_matvec_qN's (the same int8 activation, integers and float operations) up to 8192 columns,
/// and within float summation tolerance past that; on every SIMD level and through the emulated AVX-512
/// VNNI kernel. 1 to 8 tokens (and 11, which runs as 8 + 3), odd row counts, ranges cut inside 8-row
/// groups, partial 32-column blocks.
final class KernelQuantTokensTests: XCTestCase {
    private enum Format: CaseIterable { case q8, q4 }

    private let tokenCounts = [1, 2, 3, 4, 5, 6, 7, 8, 11]
    /// The shared kernel shapes plus a range cut at both ends of a wide matrix, exactly one column chunk,
    /// and one past it with a partial last block.
    private let shapes = kernelTestShapes + [(70, 2048, 3, 67), (17, 8192, 0, 17), (9, 8192 + 32 + 5, 2, 9)]

    private func quantize(_ format: Format, _ w: [Float], rows: Int, cols: Int) -> [UInt8] {
        var q = [UInt8](repeating: 0, count: format == .q8 ? sk_q8_matrix_bytes(rows, cols) : sk_q4_matrix_bytes(rows, cols))
        if format == .q8 { sk_quantize_q8_rows(w, &q, rows, cols, 0, rows) } else { sk_quantize_q4_rows(w, &q, rows, cols, 0, rows) }
        return q
    }

    /// n tokens with some awkward ones: a block of tiny values, an all-zero token, a large one.
    private func tokens(_ random: inout KernelTestRandom, n: Int, cols: Int) -> [Float] {
        var x = random.floats(n * cols)
        if cols > 40 { for c in 0..<32 { x[c] *= 1e-3 } }
        if n > 2 { for c in 0..<cols { x[2 * cols + c] = 0 } }
        if n > 4 { for c in 0..<cols { x[4 * cols + c] *= 300 } }
        return x
    }

    private func tokensProduct(_ format: Format, _ q: [UInt8], _ x: [Float], n: Int, rows: Int, cols: Int, begin: Int,
                               end: Int, ldy: Int) -> [Float] {
        var y = [Float](repeating: -7, count: n * ldy)
        if format == .q8 { sk_matvec_q8_tokens(q, x, &y, n, begin, end, cols, ldy) } else {
            sk_matvec_q4_tokens(q, x, &y, n, begin, end, cols, ldy)
        }
        return y
    }

    /// Token t alone through the one-token kernel.
    private func oneToken(_ format: Format, _ q: [UInt8], _ x: [Float], t: Int, rows: Int, cols: Int, begin: Int,
                          end: Int, emulatedVNNI: Bool = false) -> [Float] {
        var y = [Float](repeating: -7, count: rows)
        let xt = Array(x[(t * cols)..<((t + 1) * cols)])
        switch (format, emulatedVNNI) {
        case (.q8, false): sk_matvec_q8(q, xt, &y, begin, end, cols)
        case (.q4, false): sk_matvec_q4(q, xt, &y, begin, end, cols)
        case (.q8, true): vnni_emulated_matvec_q8(q, xt, &y, begin, end, cols)
        case (.q4, true): vnni_emulated_matvec_q4(q, xt, &y, begin, end, cols)
        }
        return y
    }

    /// Token t's rows of `y` (ldy apart) against `expected`: equal bit for bit when `exact`, otherwise
    /// within float summation tolerance; padding after a token's rows and rows outside the range untouched.
    private func check(_ y: [Float], _ expected: [Float], t: Int, ldy: Int, exact: Bool, _ label: String) {
        var failures = 0
        for r in 0..<ldy {
            let got = y[t * ldy + r]
            let want = r < expected.count ? expected[r] : -7
            let agrees = exact || want == -7 ? got == want : abs(got - want) <= 1e-4 * max(1, abs(want))
            if !agrees && failures < 5 {
                failures += 1
                XCTFail("\(label) token \(t) row \(r): \(got) vs one token's \(want)")
            }
        }
    }

    func testTokensMatchOneTokenKernel() {
        var random = KernelTestRandom(seed: 31)
        for format in Format.allCases {
            for shape in shapes {
                let w = random.floats(shape.rows * shape.cols, scale: 0.05)
                let q = quantize(format, w, rows: shape.rows, cols: shape.cols)
                let x = tokens(&random, n: tokenCounts.max()!, cols: shape.cols)
                let ldy = shape.rows + 3
                forEachSimdLevel { _, name in
                    for n in tokenCounts {
                        let y = tokensProduct(format, q, x, n: n, rows: shape.rows, cols: shape.cols, begin: shape.begin,
                                              end: shape.end, ldy: ldy)
                        for t in 0..<n {
                            let expected = oneToken(format, q, x, t: t, rows: shape.rows, cols: shape.cols,
                                                    begin: shape.begin, end: shape.end)
                            check(y, expected, t: t, ldy: ldy, exact: shape.cols <= 8192, "\(name) \(format) \(shape) n \(n)")
                        }
                    }
                }
            }
        }
    }

    /// The AVX-512 VNNI kernel's logic (compiled for AVX2 with vpdpbusd emulated) against the emulated
    /// one-token kernel: the same integers and float operations, so the same bits.
    func testVNNITokenKernelLogicMatchesOneTokenKernel() throws {
        guard vnni_emulation_available() != 0 else { throw XCTSkip("needs AVX2 to emulate") }
        var random = KernelTestRandom(seed: 37)
        for format in Format.allCases {
            for shape in shapes where shape.cols <= 8192 {
                let w = random.floats(shape.rows * shape.cols, scale: 0.05)
                let q = quantize(format, w, rows: shape.rows, cols: shape.cols)
                let x = tokens(&random, n: 8, cols: shape.cols)
                let ldy = shape.rows + 1
                for n in 1...8 {
                    var y = [Float](repeating: -7, count: n * ldy)
                    vnni_emulated_matvec_tokens(format == .q4 ? 1 : 0, q, x, &y, n, shape.begin, shape.end, shape.cols, ldy)
                    for t in 0..<n {
                        let expected = oneToken(format, q, x, t: t, rows: shape.rows, cols: shape.cols, begin: shape.begin,
                                                end: shape.end, emulatedVNNI: true)
                        check(y, expected, t: t, ldy: ldy, exact: true, "emulated VNNI \(format) \(shape) n \(n)")
                    }
                }
            }
        }
    }
}
