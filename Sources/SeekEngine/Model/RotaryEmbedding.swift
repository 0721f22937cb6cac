import Foundation

/// Rotary position embedding on the rope part of queries and keys, with DeepSeek's YaRN extension.
///
/// Pairs are interleaved, (x[2i], x[2i+1]) rotated by angle position * invFreq[i], as the reference
/// does (it views consecutive pairs as complex numbers). Only q·k matters, so the output stays in the
/// interleaved order.
public struct RotaryEmbedding: Sendable {
    public let dim: Int
    /// Inverse frequency of each pair (dim / 2 values), after the YaRN blend.
    public let inverseFrequencies: [Float]
    /// Magnitude factor applied to cos and sin: mscale(factor, mscale) / mscale(factor, mscale_all_dim).
    public let attentionScaling: Float

    public init(dim: Int, theta: Double, yarn: YarnScaling?) {
        self.dim = dim
        let half = dim / 2
        // torch computes these in float32: base ** (arange(0, dim, 2) / dim)
        let extrapolation = (0..<half).map { i -> Float in
            1 / Float(pow(theta, Double(Float(2 * i) / Float(dim))))
        }
        guard let y = yarn else {
            inverseFrequencies = extrapolation
            attentionScaling = 1
            return
        }
        let interpolation = extrapolation.map { $0 / Float(y.factor) }
        let (low, high) = RotaryEmbedding.correctionRange(
            betaFast: y.betaFast, betaSlow: y.betaSlow, dim: dim, theta: theta,
            originalMax: y.originalMaxPositionEmbeddings)
        let ramp = RotaryEmbedding.linearRamp(low: low, high: high, count: half)
        inverseFrequencies = (0..<half).map { i in
            let extrapolationWeight = 1 - ramp[i]
            return interpolation[i] * (1 - extrapolationWeight) + extrapolation[i] * extrapolationWeight
        }
        attentionScaling = Float(RotaryEmbedding.mscale(y.factor, y.mscale) / RotaryEmbedding.mscale(y.factor, y.mscaleAllDim))
    }

    /// YaRN's attention temperature: 0.1 * m * ln(scale) + 1 (1 when the context is not extended).
    public static func mscale(_ scale: Double, _ m: Double) -> Double {
        scale <= 1 ? 1 : 0.1 * m * log(scale) + 1
    }

    /// The pair indices where the blend from extrapolation to interpolation starts and ends.
    static func correctionRange(betaFast: Double, betaSlow: Double, dim: Int, theta: Double, originalMax: Int) -> (Double, Double) {
        func correctionDim(_ rotations: Double) -> Double {
            Double(dim) * log(Double(originalMax) / (rotations * 2 * Double.pi)) / (2 * log(theta))
        }
        let low = floor(correctionDim(betaFast))
        let high = ceil(correctionDim(betaSlow))
        return (max(low, 0), min(high, Double(dim - 1)))
    }

    static func linearRamp(low: Double, high: Double, count: Int) -> [Float] {
        let high = low == high ? high + 0.001 : high
        return (0..<count).map { i in
            Float(min(max((Double(i) - low) / (high - low), 0), 1))
        }
    }

    /// Writes the scaled cos and sin of every pair's angle at `position` (dim / 2 values each; computed
    /// once per token, applied to the key and every head's query).
    func rotation(at position: Int, cos: UnsafeMutablePointer<Float>, sin: UnsafeMutablePointer<Float>) {
        angles(Float(position), scale: attentionScaling, cos: cos, sin: sin)
    }

    /// Writes the cos and sin of a pure rotation by `positions` (unscaled: rotating an already rotated and
    /// scaled key moves it to another position without scaling it twice).
    func shift(by positions: Int, cos: UnsafeMutablePointer<Float>, sin: UnsafeMutablePointer<Float>) {
        angles(Float(positions), scale: 1, cos: cos, sin: sin)
    }

    private func angles(_ p: Float, scale: Float, cos: UnsafeMutablePointer<Float>, sin: UnsafeMutablePointer<Float>) {
        for i in 0..<(dim / 2) {
            // float32 angle, as the reference's outer product of positions and inverse frequencies
            let angle = p * inverseFrequencies[i]
            cos[i] = cosf(angle) * scale
            sin[i] = sinf(angle) * scale
        }
    }

    /// Rotates the `dim` values at x by a rotation from `rotation(at:cos:sin:)` or `shift`, in place.
    func apply(_ x: UnsafeMutablePointer<Float>, cos: UnsafePointer<Float>, sin: UnsafePointer<Float>) {
        for i in 0..<(dim / 2) {
            let c = cos[i], s = sin[i]
            let a = x[2 * i], b = x[2 * i + 1]
            x[2 * i] = a * c - b * s
            x[2 * i + 1] = b * c + a * s
        }
    }

    /// Rotates the `dim` values at x for the given position, in place.
    public func apply(_ x: UnsafeMutablePointer<Float>, position: Int) {
        var cos = [Float](repeating: 0, count: dim / 2), sin = cos
        rotation(at: position, cos: &cos, sin: &sin)
        apply(x, cos: cos, sin: sin)
    }
}
