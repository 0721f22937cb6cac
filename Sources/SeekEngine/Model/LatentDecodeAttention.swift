import Foundation
import SeekKernels

extension MultiHeadLatentAttention {
    /// Decode: one query token attends over the latent cache in the absorbed form, in a single pass with
    /// an online softmax (sk_attention_decode): each worker takes a range of cache rows and keeps its own
    /// running maximum, normaliser and weighted latent sum per head; the ranges then merge, rescaled to
    /// the common maximum. Each cached row is read once, and nothing is packed or written per row but
    /// the block's scores. absorbed: [heads, latentDim] ([q̃ | q_pe] per head); latentOut: [heads, kvRank].
    func attendOneTokenOnline(absorbed: UnsafePointer<Float>, context: Int, cache: UnsafePointer<Float>,
                              latentOut: UnsafeMutablePointer<Float>) {
        let workers = max(1, Parallel.threads)
        let stride = heads * (2 + kvRank)  // per worker: m[heads], l[heads], acc[heads * kvRank]
        let state = UnsafeMutablePointer<Float>.allocate(capacity: workers * stride)
        defer { state.deallocate() }
        for w in 0..<workers {
            let base = state + w * stride
            base.initialize(repeating: -.infinity, count: heads)
            (base + heads).initialize(repeating: 0, count: heads + heads * kvRank)
        }
        var used = [Bool](repeating: false, count: workers)
        used.withUnsafeMutableBufferPointer { used in
            Parallel.forWorkers(context, minChunk: 512) { w, j0, j1 in
                let base = state + w * stride
                sk_attention_decode(absorbed, heads, latentDim, cache, latentDim, j0, j1, kvRank, softmaxScale,
                                    base, base + heads, base + 2 * heads)
                used[w] = true
            }
        }
        for h in 0..<heads {
            var maximum = -Float.infinity
            for w in 0..<workers where used[w] { maximum = max(maximum, state[w * stride + h]) }
            var normaliser: Float = 0
            let out = latentOut + h * kvRank
            out.initialize(repeating: 0, count: kvRank)
            for w in 0..<workers where used[w] {
                let base = state + w * stride
                let weight = exp(base[h] - maximum)
                normaliser += weight * base[heads + h]
                VectorOps.axpy(weight, base + 2 * heads + h * kvRank, out, count: kvRank)
            }
            let inverse = 1 / normaliser
            for d in 0..<kvRank { out[d] *= inverse }
        }
    }
}
