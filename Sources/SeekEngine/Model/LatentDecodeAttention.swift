import Foundation
import SeekKernels

extension MultiHeadLatentAttention {
    /// Query tokens that attend in the absorbed form, each over its own context, one pass apiece
    /// (sk_attention_decode's online softmax; no score matrix): the tokens of a short prompt, or one token
    /// of each sequence decoding together. Token t reads ws.absorbed row t ([heads, latentDim]) and writes
    /// ws.latentOut row t ([heads, kvRank]).
    ///
    /// Many tokens, or short contexts, share the workers token by token: each token is one call over its
    /// whole context, as a decode step that fits one chunk is. A few tokens over long contexts go one at a
    /// time, each cut into chunks of cache rows (attendOneTokenOnline). The choice depends on neither the
    /// thread count nor which worker runs what.
    func attendTokensOnline(count n: Int, context: (Int) -> Int, cache: (Int) -> LatentRows,
                            workspace ws: Workspace, pool: WorkerPool) {
        let longest = (0..<n).reduce(0) { max($0, context($1)) }
        if n < MultiHeadLatentAttention.tokensSharedFrom && longest > Workspace.decodeChunkRows {
            for t in 0..<n {
                attendOneTokenOnline(absorbed: ws.absorbed + t * heads * latentDim, context: context(t), cache: cache(t),
                                     latentOut: ws.latentOut + t * heads * kvRank, workspace: ws, pool: pool)
            }
            return
        }
        pool.forChunks(n, minChunk: 1) { worker, t0, t1 in
            let maxima = ws.tokenAttentionState(worker: worker), normalisers = maxima + heads
            for t in t0..<t1 {
                let out = ws.latentOut + t * heads * kvRank
                attendRows(absorbed: ws.absorbed + t * heads * latentDim, cache: cache(t), 0..<context(t),
                           maxima: maxima, normalisers: normalisers, sums: out)
                for h in 0..<heads {
                    let inverse = 1 / normalisers[h]
                    for d in 0..<kvRank { out[h * kvRank + d] *= inverse }
                }
            }
        }
    }

    /// Fewest query tokens that share the workers token by token whatever their context (see
    /// attendTokensOnline): enough for every worker of a small machine to get a few.
    static let tokensSharedFrom = 8

    /// One query token's online-softmax state over cache rows `rows`, from fresh: maxima [heads],
    /// normalisers [heads] and weighted latent sums [heads, kvRank] (sk_attention_decode).
    private func attendRows(absorbed: UnsafePointer<Float>, cache: LatentRows, _ rows: Range<Int>,
                            maxima: UnsafeMutablePointer<Float>, normalisers: UnsafeMutablePointer<Float>,
                            sums: UnsafeMutablePointer<Float>) {
        maxima.update(repeating: -.infinity, count: heads)
        normalisers.update(repeating: 0, count: heads)
        sums.update(repeating: 0, count: heads * kvRank)
        cache.attend(absorbed: absorbed, heads: heads, rows: rows, valueDim: kvRank, scale: softmaxScale,
                     maxima: maxima, normalisers: normalisers, sums: sums)
    }

    /// Decode: one query token attends over the latent cache in the absorbed form, in a single pass with
    /// an online softmax (sk_attention_decode): the cache rows are cut into chunks that the workers
    /// claim, each chunk with its own running maximum, normaliser and weighted latent sum per head; the
    /// chunks then merge in order, rescaled to the common maximum, so the result does not depend on which
    /// worker took which chunk. Each cached row is read once, and nothing is packed or written per row
    /// but the block's scores. absorbed: [heads, latentDim] ([q̃ | q_pe] per head); latentOut: [heads, kvRank].
    /// The per-chunk states are the workspace's.
    func attendOneTokenOnline(absorbed: UnsafePointer<Float>, context: Int, cache: LatentRows,
                              latentOut: UnsafeMutablePointer<Float>, workspace ws: Workspace, pool: WorkerPool) {
        let rows = Workspace.decodeChunkRows
        precondition(WorkerPool.chunkCount(context, minChunk: rows, threads: pool.threads) <= ws.decodeChunks,
                     "workspace made for fewer threads or a shorter context")
        let chunks = pool.forNumberedChunks(context, minChunk: rows) { chunk, j0, j1 in
            let state = ws.decodeState(chunk: chunk)
            attendRows(absorbed: absorbed, cache: cache, j0..<j1, maxima: state, normalisers: state + heads,
                       sums: state + 2 * heads)
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
