import Foundation
import XCTest
import SeekKernels

/// The SIMD exponentials (sk_silu_mul_f32, sk_exp_sum_f32) and sk_max_f32 against double-precision
/// definitions on every SIMD level, over odd lengths and the ends of float32's exp range.
final class KernelActivationTests: XCTestCase {
    private let lengths = [0, 1, 7, 8, 9, 31, 100]

    /// Values in [-range, range] plus the edges of the exp range.
    private func inputs(_ n: Int, range: Float, _ random: inout KernelTestRandom) -> [Float] {
        let edges: [Float] = [0, -0.0, 1e-30, -87.3, -87.4, -100, 88.0, 88.7, -1e4, 15.5, -15.5]
        return (0..<n).map { i in i < edges.count && n > 20 ? edges[i] : random.float() * range }
    }

    /// |got - exact| within 3 float ulps of exact plus what rounding the float32 argument `argument`
    /// (|argument| x 2^-23 relative) allows, or below float's smallest normal (exp underflow).
    private func close(_ got: Float, _ exact: Double, argument: Double) -> Bool {
        if exact.isInfinite { return got == Float(exact) }
        let tolerance = 3 * Double(Float(exact).ulp) + abs(argument) * 0x1p-23 * exact + 1.2e-38
        return abs(Double(got) - exact) <= tolerance
    }

    func testExpSumMatchesDefinition() {
        var random = KernelTestRandom(seed: 31)
        forEachSimdLevel { _, level in
            for n in lengths {
                for (scale, shift) in [(Float(1), Float(0)), (0.125, 3.5), (1, 88)] {
                    var x = inputs(n, range: 40, &random).map { min($0, 80) }
                    let exact = x.map { Foundation.exp(Double($0) * Double(scale) - Double(shift)) }
                    let sum = sk_exp_sum_f32(&x, n, scale, shift)
                    let arguments = x.map { Double($0) * Double(scale) - Double(shift) }
                    for i in 0..<n where !close(x[i], exact[i], argument: arguments[i]) {
                        XCTFail("\(level) n=\(n) exp(\(scale) x - \(shift))[\(i)] = \(x[i]), expected \(exact[i])")
                    }
                    let exactSum = exact.reduce(0, +)
                    XCTAssertEqual(Double(sum), exactSum, accuracy: 1e-5 * exactSum + 1e-30, "\(level) n=\(n) sum")
                }
            }
        }
    }

    func testSiluMultiplyMatchesDefinition() {
        var random = KernelTestRandom(seed: 32)
        forEachSimdLevel { _, level in
            for n in lengths {
                var gate = inputs(n, range: 20, &random)
                let up = random.floats(n, scale: 3)
                let exact = (0..<n).map { i -> Double in
                    let g = Double(gate[i])
                    return g / (1 + Foundation.exp(-g)) * Double(up[i])
                }
                sk_silu_mul_f32(&gate, up, n)
                for i in 0..<n {
                    XCTAssertEqual(Double(gate[i]), exact[i], accuracy: 4e-7 * abs(exact[i]) + 1e-30,
                                   "\(level) n=\(n) silu[\(i)]")
                }
            }
        }
    }

    func testMax() {
        var random = KernelTestRandom(seed: 33)
        forEachSimdLevel { _, level in
            for n in lengths {
                let x = random.floats(n, scale: 10)
                XCTAssertEqual(sk_max_f32(x, n), x.max() ?? -.infinity, "\(level) n=\(n)")
            }
        }
    }
}
