import Foundation
import XCTest
import SeekKernels

/// Deterministic random numbers for kernel tests (SplitMix64), so failures reproduce.
struct KernelTestRandom {
    private var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [-1, 1).
    mutating func float() -> Float { Float(Double(next() >> 11) / Double(1 << 53) * 2 - 1) }

    mutating func floats(_ n: Int, scale: Float = 1) -> [Float] { (0..<n).map { _ in float() * scale } }
}

/// Runs `body` once per SIMD level this CPU supports (portable first), restoring the best level after.
func forEachSimdLevel(_ body: (Int32, String) throws -> Void) rethrows {
    defer { sk_set_simd_level(sk_simd_level_supported()) }
    for level in Int32(SK_SIMD_PORTABLE)...sk_simd_level_supported() {
        XCTAssertEqual(sk_set_simd_level(level), level)
        try body(level, String(cString: sk_simd_name()))
    }
}

/// bf16 bits to Float by the definition (the high half of a float32).
func naiveBF16(_ bits: UInt16) -> Float { Float(bitPattern: UInt32(bits) << 16) }

/// IEEE half bits to Float by the definition, independent of any hardware conversion.
func naiveF16(_ bits: UInt16) -> Float {
    let sign: Float = bits & 0x8000 != 0 ? -1 : 1
    let exponent = Int((bits >> 10) & 0x1F)
    let mantissa = Float(bits & 0x3FF)
    switch exponent {
    case 0: return sign * mantissa * Float(sign: .plus, exponent: -24, significand: 1)
    case 31: return mantissa == 0 ? sign * .infinity : .nan
    default: return sign * (1 + mantissa / 1024) * Float(sign: .plus, exponent: exponent - 15, significand: 1)
    }
}

/// Float to bf16 bits, round to nearest even, by the definition (via Double arithmetic).
func naiveF32ToBF16(_ value: Float) -> UInt16 {
    if value.isNaN { return UInt16(value.bitPattern >> 16) | 0x40 }
    let bits = value.bitPattern
    let truncated = bits & 0xFFFF_0000
    let lower = Float(bitPattern: truncated)
    let upperFloat = Float(bitPattern: truncated &+ 0x1_0000)  // next bf16 away from zero (may be Inf)
    // Past the largest finite bf16, rounding goes to Inf as if it were the next power of two (2^128).
    let upper = upperFloat.isInfinite ? Double(value.sign == .minus ? -1 : 1) * 0x1p128 : Double(upperFloat)
    let below = abs(Double(value) - Double(lower))
    let above = abs(upper - Double(value))
    if value.isInfinite || below < above { return UInt16(truncated >> 16) }
    if above < below { return UInt16((truncated &+ 0x1_0000) >> 16) }
    return (truncated >> 16) & 1 == 0 ? UInt16(truncated >> 16) : UInt16((truncated &+ 0x1_0000) >> 16)
}

/// The row-range shapes every matrix kernel is checked on: odd widths, few rows, partial ranges.
let kernelTestShapes: [(rows: Int, cols: Int, begin: Int, end: Int)] = [
    (1, 1, 0, 1), (1, 7, 0, 1), (3, 15, 0, 3), (4, 16, 0, 4), (5, 17, 1, 5), (6, 31, 2, 6),
    (7, 32, 0, 7), (9, 33, 3, 8), (8, 63, 0, 8), (13, 100, 4, 13), (5, 257, 0, 5), (11, 2053, 1, 10),
    (24, 70, 8, 24), (3, 8192 + 40, 0, 3), (2, 16384 + 40, 0, 2),  // past the kernels' column chunks (bf16 4096, quantized 16384)
]

/// One query token's attention over `rows` cache rows in double precision: per head h, the mean of the
/// rows' first vdim values weighted by the softmax of scale * (q_h · row[0 ..< qdim]); [heads, vdim].
func referenceDecodeAttention(q: [Float], heads: Int, qdim: Int, cache: [Float], rows: Int, ldc: Int, vdim: Int,
                              scale: Float) -> [Double] {
    var expected = [Double](repeating: 0, count: heads * vdim)
    for h in 0..<heads {
        let scores = (0..<rows).map { j in
            (0..<qdim).reduce(0.0) { $0 + Double(q[h * qdim + $1]) * Double(cache[j * ldc + $1]) } * Double(scale)
        }
        let top = scores.max()!
        let weights = scores.map { Foundation.exp($0 - top) }
        let total = weights.reduce(0, +)
        for d in 0..<vdim {
            expected[h * vdim + d] = (0..<rows).reduce(0.0) { $0 + weights[$1] * Double(cache[$1 * ldc + d]) } / total
        }
    }
    return expected
}

/// The largest errors against `expected` ([heads, vdim]) of a context of `rows` rows attended as the
/// ranges [0, split) and [split, rows) (one of them empty when split is 0 or rows): each range from a fresh
/// state, the two merged as the engine merges its chunks (`merged`), and the second range continuing the
/// first's state (`continued`). attend(j0, j1, &m, &l, &acc) runs the kernel under test over [j0, j1).
func splitDecodeAttentionErrors(expected: [Double], heads: Int, vdim: Int, rows: Int, split: Int,
                                _ attend: (Int, Int, inout [Float], inout [Float], inout [Float]) -> Void)
    -> (merged: Double, continued: Double) {
    let ranges = [(0, split), (split, rows)].filter { $0.1 > $0.0 }
    func fresh() -> (m: [Float], l: [Float], acc: [Float]) {
        ([Float](repeating: -.infinity, count: heads), [Float](repeating: 0, count: heads), [Float](repeating: 0, count: heads * vdim))
    }
    var parts: [(m: [Float], l: [Float], acc: [Float])] = []
    for (j0, j1) in ranges {
        var state = fresh()
        attend(j0, j1, &state.m, &state.l, &state.acc)
        parts.append(state)
    }
    var continued = fresh()
    for (j0, j1) in ranges { attend(j0, j1, &continued.m, &continued.l, &continued.acc) }
    var worstMerged = 0.0, worstContinued = 0.0
    for h in 0..<heads {
        let top = parts.map { $0.m[h] }.max()!
        let total = parts.reduce(0.0) { $0 + Double($1.l[h]) * Foundation.exp(Double($1.m[h] - top)) }
        for d in 0..<vdim {
            let want = expected[h * vdim + d]
            let merged = parts.reduce(0.0) { $0 + Double($1.acc[h * vdim + d]) * Foundation.exp(Double($1.m[h] - top)) } / total
            worstMerged = max(worstMerged, abs(merged - want))
            worstContinued = max(worstContinued, abs(Double(continued.acc[h * vdim + d] / continued.l[h]) - want))
        }
    }
    return (worstMerged, worstContinued)
}
