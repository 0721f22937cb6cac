import Foundation
import SeekKernels

extension MultiHeadLatentAttention {
    /// Decode: one query token attends over the latent cache in the absorbed form, in a single pass with
    /// an online softmax (sk_attention_decode): the cache rows are cut into chunks that the workers
    /// claim, each chunk with its own running maximum, normaliser and weighted latent sum per head; the
    /// chunks then merge in order, rescaled to the common maximum, so the result does not depend on which
    /// worker took which chunk. Each cached row is read once, and nothing is packed or written per row
    /// but the block's scores. absorbed: [heads, latentDim] ([q̃ | q_pe] per head); latentOut: [heads, kvRank].
    /// The per-chunk states are the workspace's.
    func attendOneTokenOnline(absorbed: UnsafePointer<Float>, context: Int, cache: UnsafePointer<Float>,
                              latentOut: UnsafeMutablePointer<Float>, workspace ws: Workspace, pool: WorkerPool) {
        let rows = Workspace.decodeChunkRows
        precondition(WorkerPool.chunkCount(context, minChunk: rows, threads: pool.threads) <= ws.decodeChunks,
                     "workspace made for fewer threads or a shorter context")
        let chunks = pool.forNumberedChunks(context, minChunk: rows) { chunk, j0, j1 in
            let state = ws.decodeState(chunk: chunk)
            state.update(repeating: -.infinity, count: heads)
            (state + heads).update(repeating: 0, count: heads + heads * kvRank)
            sk_attention_decode(absorbed, heads, latentDim, cache, latentDim, j0, j1, kvRank, softmaxScale,
                                state, state + heads, state + 2 * heads)
        }
        for h in 0..<heads {
            var maximum = -Float.infinity
            for c in 0..<chunks { maximum = max(maximum, ws.decodeState(chunk: c)[h]) }
            var normaliser: Float = 0
            let out = latentOut + h * kvRank
            out.update(repeating: 0, count: kvRank)
            for c in 0..<chunks {
                let state = ws.decodeState(chunk: c)
                let weight = exp(state[h] - maximum)
                normaliser += weight * state[heads + h]
                VectorOps.axpy(weight, state + 2 * heads + h * kvRank, out, count: kvRank)
            }
            let inverse = 1 / normaliser
            for d in 0..<kvRank { out[d] *= inverse }
        }
    }
}
