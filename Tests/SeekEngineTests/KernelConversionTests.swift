import XCTest
import SeekKernels

/// The dtype conversions, exhaustively over all 65536 bit patterns, on every SIMD level.
final class KernelConversionTests: XCTestCase {
    private let allPatterns: [UInt16] = (0...UInt16.max).map { $0 }

    func testBF16ToF32Exhaustive() {
        forEachSimdLevel { _, name in
            var out = [Float](repeating: 0, count: allPatterns.count)
            sk_bf16_to_f32(allPatterns, &out, allPatterns.count)
            for (bits, value) in zip(allPatterns, out) where value.bitPattern != naiveBF16(bits).bitPattern {
                XCTFail("\(name): bf16 0x\(String(bits, radix: 16)) -> \(value)")
                return
            }
        }
    }

    func testF16ToF32Exhaustive() {
        forEachSimdLevel { _, name in
            // Odd offsets exercise the vector body and the scalar tail.
            for offset in [0, 3] {
                let src = Array(allPatterns[offset...])
                var out = [Float](repeating: 0, count: src.count)
                sk_f16_to_f32(src, &out, src.count)
                for (bits, value) in zip(src, out) {
                    let expected = naiveF16(bits)
                    let ok = expected.isNaN
                        ? value.isNaN && value.sign == (bits & 0x8000 != 0 ? .minus : .plus)
                        : value.bitPattern == expected.bitPattern
                    if !ok {
                        XCTFail("\(name): f16 0x\(String(bits, radix: 16)) -> \(value), expected \(expected)")
                        return
                    }
                }
            }
        }
    }

    func testF32ToBF16RoundsToNearestEven() {
        var random = KernelTestRandom(seed: 7)
        var values: [Float] = [0, -0, 1, -1, .infinity, -.infinity, .nan, .greatestFiniteMagnitude,
                               .leastNonzeroMagnitude, .leastNormalMagnitude, 1 + .ulpOfOne,
                               Float(bitPattern: 0x3F80_8000), Float(bitPattern: 0x3F81_8000),
                               Float(bitPattern: 0x7F7F_FFFF), Float(bitPattern: 0x3F80_7FFF)]
        for _ in 0..<100_000 { values.append(Float(bitPattern: UInt32(truncatingIfNeeded: random.next()))) }
        var out = [UInt16](repeating: 0, count: values.count)
        sk_f32_to_bf16(values, &out, values.count)
        for (value, bits) in zip(values, out) where bits != naiveF32ToBF16(value) {
            XCTFail("f32 \(value) (0x\(String(value.bitPattern, radix: 16))) -> 0x\(String(bits, radix: 16))")
            return
        }
        // Every bf16 value converts back to itself.
        var back = [Float](repeating: 0, count: allPatterns.count)
        sk_bf16_to_f32(allPatterns, &back, back.count)
        sk_f32_to_bf16(back, &out, back.count)
        for (bits, round) in zip(allPatterns, out[..<allPatterns.count]) where !back[Int(bits)].isNaN {
            XCTAssertEqual(bits, round)
        }
    }
}
