import Foundation
import SeekKernels

/// Small elementwise operations on float32 rows.
enum VectorOps {
    /// RMSNorm: x * rsqrt(mean(x²) + eps) * weight, in float32 as the reference does.
    static func rmsNorm(_ x: UnsafePointer<Float>, _ weight: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>,
                        count n: Int, eps: Float) {
        let ms = sk_dot_f32(x, x, n) / Float(n)
        let scale = 1 / (ms + eps).squareRoot()
        for i in 0..<n { out[i] = weight[i] * (x[i] * scale) }
    }

    /// gate[i] = silu(gate[i]) * up[i]
    static func siluMultiply(_ gate: UnsafeMutablePointer<Float>, _ up: UnsafePointer<Float>, count n: Int) {
        sk_silu_mul_f32(gate, up, n)
    }

    /// In-place softmax over n values.
    static func softmax(_ x: UnsafeMutablePointer<Float>, count n: Int) {
        guard n > 0 else { return }
        let maxValue = sk_max_f32(x, n)
        let inv = 1 / sk_exp_sum_f32(x, n, 1, maxValue)
        for i in 0..<n { x[i] *= inv }
    }

    /// y += a * x
    static func axpy(_ a: Float, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count n: Int) {
        for i in 0..<n { y[i] += a * x[i] }
    }
}
