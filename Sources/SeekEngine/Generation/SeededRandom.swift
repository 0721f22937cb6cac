/// A small, fast, reproducible random number generator (PCG-XSH-RR 32, O'Neill 2014), seeded through
/// SplitMix64 so that nearby seeds give unrelated streams. Same seed, same numbers, on every platform:
/// the system generator makes no such promise, which sampling with `--seed` needs.
public struct SeededRandom: RandomNumberGenerator, Sendable {
    private var state: UInt64
    private let increment: UInt64

    public init(seed: UInt64) {
        var mixer = seed
        state = SeededRandom.splitMix64(&mixer)
        increment = SeededRandom.splitMix64(&mixer) | 1  // the stream selector must be odd
    }

    /// The next 32 random bits.
    public mutating func next32() -> UInt32 {
        let old = state
        state = old &* 6_364_136_223_846_793_005 &+ increment
        let xorShifted = UInt32(truncatingIfNeeded: ((old >> 18) ^ old) >> 27)
        let rotation = UInt32(truncatingIfNeeded: old >> 59)
        return (xorShifted >> rotation) | (xorShifted << ((~rotation &+ 1) & 31))
    }

    public mutating func next() -> UInt64 {
        (UInt64(next32()) << 32) | UInt64(next32())
    }

    /// A uniform value in [0, 1) with 53 random bits.
    public mutating func nextUnitInterval() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    private static func splitMix64(_ x: inout UInt64) -> UInt64 {
        x &+= 0x9E37_79B9_7F4A_7C15
        var z = x
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
