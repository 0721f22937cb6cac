import SeekKernels
import Foundation

/// Multi-head Latent Attention (DeepSeek-V2 §2.1) in the absorbed form.
///
/// Keys and values are low-rank: k_nope_h = W_uk_h · c and v_h = W_uv_h · c, where c is the normalised
/// kv latent. Instead of expanding every cached token to per-head K and V, the query is folded into
/// latent space (q̃_h = W_uk_hᵀ q_nope_h), scores are q̃_h · c_t + q_pe_h · k_pe_t, and the attention
/// output is W_uv_h (Σ_t p_t c_t). Decoding (LatentDecodeAttention.swift) and short prompts use this
/// form; long prompts expand the cache per head instead (ExpandedPrefillAttention.swift).
struct MultiHeadLatentAttention: @unchecked Sendable {
    enum QueryProjection {
        case direct(WeightMatrix)                                   // q_proj
        case lowRank(down: WeightMatrix, norm: [Float], up: WeightMatrix) // q_a_proj → q_a_layernorm → q_b_proj
    }

    let heads: Int
    let nopeDim: Int
    let ropeDim: Int
    let valueDim: Int
    let kvRank: Int
    let query: QueryProjection
    let kvDown: WeightMatrix        // kv_a_proj_with_mqa: [kvRank + ropeDim, dim]
    let kvNorm: [Float]             // kv_a_layernorm
    /// kv_b_proj split per head, in its stored dtype: the key up-projection transposed ([kvRank, nopeDim],
    /// so absorbing the query is a plain product) and the value up-projection ([valueDim, kvRank], a view
    /// of the checkpoint's rows).
    let keyUpT: [WeightMatrix]
    let valueUp: [WeightMatrix]
    let output: WeightMatrix        // o_proj: [dim, heads * valueDim]
    let softmaxScale: Float
    let rope: RotaryEmbedding
    let eps: Float
    /// kv_b_proj's key up-projection per head as stored ([nopeDim, kvRank]), for the expanded prefill
    /// (ExpandedPrefillAttention.swift); empty: prefill stays absorbed.
    var keyUp: [WeightMatrix] = []

    var qHeadDim: Int { nopeDim + ropeDim }
    var latentDim: Int { kvRank + ropeDim }

    var byteCount: Int {
        var bytes = kvDown.byteCount + output.byteCount
        bytes += keyUpT.reduce(0) { $0 + $1.byteCount } + valueUp.reduce(0) { $0 + $1.byteCount }
        switch query {
        case .direct(let w): bytes += w.byteCount
        case .lowRank(let d, _, let u): bytes += d.byteCount + u.byteCount
        }
        return bytes
    }

    /// out[n, dim] = attention of the n rows x[n, dim] of a batch. Each span's rows attend over their own
    /// sequence's cache (layer `layer`), which receives their latents.
    func callAsFunction(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, count n: Int,
                        spans: [SequenceSpan], layer: Int, workspace ws: Workspace, pool: WorkerPool) {
        let qWidth = heads * qHeadDim
        let q = ws.query
        switch query {
        case .direct(let w):
            w.matmul(x, q, count: n, pool: pool, scratch: ws.tokenScratch)
        case .lowRank(let down, let norm, let up):
            let a = ws.queryLowRank
            down.matmul(x, a, count: n, pool: pool, scratch: ws.tokenScratch)
            norm.withUnsafeBufferPointer { w in
                for t in 0..<n { VectorOps.rmsNorm(a + t * down.rows, w.baseAddress!, a + t * down.rows, count: down.rows, eps: eps) }
            }
            up.matmul(a, q, count: n, pool: pool, scratch: ws.tokenScratch)
        }

        // New tokens' latents go straight into the cache: [normalised latent | rotated rope key].
        let kv = ws.newLatents
        kvDown.matmul(x, kv, count: n, pool: pool, scratch: ws.tokenScratch)
        kvNorm.withUnsafeBufferPointer { w in
            for span in spans {
                let cache = span.cache.layer(layer)
                for i in 0..<span.count {
                    let t = span.row + i
                    rope.rotation(at: span.position + i, cos: ws.ropeCos, sin: ws.ropeSin)
                    let row = kv + t * latentDim
                    VectorOps.rmsNorm(row, w.baseAddress!, row, count: kvRank, eps: eps)
                    rope.apply(row + kvRank, cos: ws.ropeCos, sin: ws.ropeSin)
                    cache.write(row: span.position + i, columns: 0..<latentDim, from: row)
                    for h in 0..<heads { rope.apply(q + t * qWidth + h * qHeadDim + nopeDim, cos: ws.ropeCos, sin: ws.ropeSin) }
                }
            }
        }

        let attended = ws.attended
        // Decoding several sequences (one token each): their queries absorbed and their values expanded
        // together, so each head's kv_b_proj is read once per step rather than once per sequence.
        if spans.count > 1, spans.allSatisfy({ $0.count == 1 }) {
            absorbQueries(q, tokens: n, workspace: ws, pool: pool)
            attendTokensOnline(count: n, context: { spans[$0].position + 1 }, cache: { spans[$0].cache.layer(layer) },
                               workspace: ws, pool: pool)
            expandValues(tokens: n, out: attended, workspace: ws, pool: pool)
            output.matmul(attended, out, count: n, pool: pool, scratch: ws.tokenScratch)
            return
        }
        for span in spans {
            let cache = span.cache.layer(layer)
            // Long prompts: the expanded form (ExpandedPrefillAttention.swift), per sequence.
            if expandedPrefillPays(tokens: span.count) {
                attendExpanded(q: q + span.row * qWidth, tokens: span.count, firstPosition: span.position, cache: cache,
                               out: attended + span.row * heads * valueDim, workspace: ws, pool: pool)
                continue
            }
            // Short prompts and decoding: the absorbed form, every query token in one pass over the rows it
            // sees (LatentDecodeAttention.swift).
            absorbQueries(q + span.row * qWidth, tokens: span.count, workspace: ws, pool: pool)
            attendTokensOnline(count: span.count, context: { span.position + $0 + 1 }, cache: { _ in cache },
                               workspace: ws, pool: pool)
            expandValues(tokens: span.count, out: attended + span.row * heads * valueDim, workspace: ws, pool: pool)
        }
        output.matmul(attended, out, count: n, pool: pool, scratch: ws.tokenScratch)
    }

    /// ws.absorbed row (t, h) = [W_uk_hᵀ q_nope_th | q_pe_th] for n query tokens (q rows [n, heads * qHeadDim]),
    /// split across the workers by head.
    private func absorbQueries(_ q: UnsafePointer<Float>, tokens n: Int, workspace ws: Workspace, pool: WorkerPool) {
        let qWidth = heads * qHeadDim, absorbed = ws.absorbed
        pool.forChunks(heads, minChunk: 1) { worker, h0, h1 in
            let qNope = ws.headQuery(worker: worker, nopeDim: nopeDim), scratch = ws.headTokenScratch(worker: worker)
            for h in h0..<h1 {
                // q̃ = W_ukᵀ q_nope, then q_pe appended: absorbed row (t, h) = [q̃ | q_pe]
                for t in 0..<n { (qNope + t * nopeDim).update(from: q + t * qWidth + h * qHeadDim, count: nopeDim) }
                keyUpT[h].productOnThisThread(qNope, absorbed + h * latentDim, count: n, ldy: heads * latentDim,
                                             scratch: scratch)
                for t in 0..<n {
                    (absorbed + (t * heads + h) * latentDim + kvRank)
                        .update(from: q + t * qWidth + h * qHeadDim + nopeDim, count: ropeDim)
                }
            }
        }
    }

    /// Up to each head's values: out[t, h * valueDim ..] = W_uv_h · ws.latentOut row (t, h), for n tokens.
    private func expandValues(tokens n: Int, out: UnsafeMutablePointer<Float>, workspace ws: Workspace, pool: WorkerPool) {
        let latentOut = ws.latentOut
        pool.forChunks(heads, minChunk: 1) { worker, h0, h1 in
            let latent = ws.headLatent(worker: worker, kvRank: kvRank), scratch = ws.headTokenScratch(worker: worker)
            for h in h0..<h1 {
                for t in 0..<n { (latent + t * kvRank).update(from: latentOut + (t * heads + h) * kvRank, count: kvRank) }
                valueUp[h].productOnThisThread(latent, out + h * valueDim, count: n, ldy: heads * valueDim,
                                             scratch: scratch)
            }
        }
    }
}
