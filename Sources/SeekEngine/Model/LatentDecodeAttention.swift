import Foundation
import SeekKernels

extension MultiHeadLatentAttention {
    /// Decode: one query token attends over the latent cache in the absorbed form, in a single pass with
    /// an online softmax (sk_attention_decode): each worker takes a range of cache rows and keeps its own
    /// running maximum, normaliser and weighted latent sum per head; the ranges then merge, rescaled to
    /// the common maximum. Each cached row is read once, and nothing is packed or written per row but
    /// the block's scores. absorbed: [heads, latentDim] ([q̃ | q_pe] per head); latentOut: [heads, kvRank].
    /// The per-worker states are the workspace's.
    func attendOneTokenOnline(absorbed: UnsafePointer<Float>, context: Int, cache: UnsafePointer<Float>,
                              latentOut: UnsafeMutablePointer<Float>, workspace ws: Workspace, pool: WorkerPool) {
        let workers = max(1, pool.threads)
        let used = ws.decodeUsed
        for w in 0..<workers {
            let state = ws.decodeState(worker: w)
            state.update(repeating: -.infinity, count: heads)
            (state + heads).update(repeating: 0, count: heads + heads * kvRank)
            used[w] = false
        }
        pool.forWorkers(context, minChunk: 512) { w, j0, j1 in
            let state = ws.decodeState(worker: w)
            sk_attention_decode(absorbed, heads, latentDim, cache, latentDim, j0, j1, kvRank, softmaxScale,
                                state, state + heads, state + 2 * heads)
            used[w] = true
        }
        for h in 0..<heads {
            var maximum = -Float.infinity
            for w in 0..<workers where used[w] { maximum = max(maximum, ws.decodeState(worker: w)[h]) }
            var normaliser: Float = 0
            let out = latentOut + h * kvRank
            out.update(repeating: 0, count: kvRank)
            for w in 0..<workers where used[w] {
                let state = ws.decodeState(worker: w)
                let weight = exp(state[h] - maximum)
                normaliser += weight * state[heads + h]
                VectorOps.axpy(weight, state + 2 * heads + h * kvRank, out, count: kvRank)
            }
            let inverse = 1 / normaliser
            for d in 0..<kvRank { out[d] *= inverse }
        }
    }
}
