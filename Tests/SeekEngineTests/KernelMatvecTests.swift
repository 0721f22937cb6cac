import XCTest
import SeekKernels

/// Dot products, matrix-vector products and the bandwidth probe against naive loops, on every SIMD level.
final class KernelMatvecTests: XCTestCase {
    /// Exact float32 math on exactly converted weights: only the summation order may differ.
    private func check(_ name: String, weights: [Float], x: [Float], y: [Float], shape: (rows: Int, cols: Int, begin: Int, end: Int),
                       file: StaticString = #filePath, line: UInt = #line) {
        for r in 0..<shape.rows {
            guard r >= shape.begin && r < shape.end else {
                XCTAssertEqual(y[r], -7, "\(name): row \(r) outside the range was written", file: file, line: line)
                continue
            }
            var exact = 0.0, magnitude = 0.0
            for c in 0..<shape.cols {
                let p = Double(weights[r * shape.cols + c]) * Double(x[c])
                exact += p
                magnitude += abs(p)
            }
            let tolerance = magnitude * 2e-6 + 1e-30
            XCTAssertLessThanOrEqual(abs(Double(y[r]) - exact), tolerance,
                                     "\(name) \(shape) row \(r): \(y[r]) vs \(exact)", file: file, line: line)
        }
    }

    func testMatvecF32BF16F16() {
        var random = KernelTestRandom(seed: 1)
        // Plus groups of four rows (prefetching the next four) across several 4096-column bf16 chunks.
        let shapes = kernelTestShapes + [(rows: 12, cols: 16384 + 72, begin: 0, end: 12)]
        forEachSimdLevel { _, level in
            for shape in shapes {
                let count = shape.rows * shape.cols
                let x = random.floats(shape.cols)
                let f32 = random.floats(count, scale: 0.5)
                var bf16 = [UInt16](repeating: 0, count: count)
                sk_f32_to_bf16(f32, &bf16, count)
                let f16: [UInt16] = f32.map { value in
                    // Exact f16 values: keep 10 mantissa bits of a value in the normal f16 range.
                    let v = Float(bitPattern: value.bitPattern & 0xFFFF_E000)
                    return f16Bits(v)
                }
                var y = [Float](repeating: -7, count: shape.rows)
                sk_matvec_f32(f32, x, &y, shape.begin, shape.end, shape.cols)
                check("\(level) f32", weights: f32, x: x, y: y, shape: shape)

                y = [Float](repeating: -7, count: shape.rows)
                sk_matvec_bf16(bf16, x, &y, shape.begin, shape.end, shape.cols)
                check("\(level) bf16", weights: bf16.map(naiveBF16), x: x, y: y, shape: shape)

                y = [Float](repeating: -7, count: shape.rows)
                sk_matvec_f16(f16, x, &y, shape.begin, shape.end, shape.cols)
                check("\(level) f16", weights: f16.map(naiveF16), x: x, y: y, shape: shape)
            }
        }
    }

    func testDotAndSum() {
        var random = KernelTestRandom(seed: 2)
        forEachSimdLevel { _, level in
            for n in [0, 1, 5, 8, 31, 32, 33, 64, 65, 127, 129, 1000, 4099] {
                let a = random.floats(n), b = random.floats(n)
                var exact = 0.0, magnitude = 0.0, sum = 0.0, sumMagnitude = 0.0
                for i in 0..<n {
                    exact += Double(a[i]) * Double(b[i])
                    magnitude += abs(Double(a[i]) * Double(b[i]))
                    sum += Double(a[i])
                    sumMagnitude += abs(Double(a[i]))
                }
                XCTAssertLessThanOrEqual(abs(Double(sk_dot_f32(a, b, n)) - exact), magnitude * 2e-6, "\(level) dot n=\(n)")
                XCTAssertLessThanOrEqual(abs(sk_sum_f32(a, n) - sum), sumMagnitude * 2e-6, "\(level) sum n=\(n)")
            }
        }
    }

    /// Float to f16 bits for values already exactly representable in f16's normal range (or zero).
    private func f16Bits(_ value: Float) -> UInt16 {
        if value == 0 { return value.sign == .minus ? 0x8000 : 0 }
        let bits = value.bitPattern
        let sign = UInt16((bits >> 16) & 0x8000)
        let exponent = Int((bits >> 23) & 0xFF) - 127 + 15
        guard exponent > 0 && exponent < 31 else { return sign }  // outside f16's normal range: use zero
        return sign | UInt16(exponent << 10) | UInt16((bits >> 13) & 0x3FF)
    }
}
