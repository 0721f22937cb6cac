import Foundation
import SeekKernels

/// Prefill attention in the expanded form, for many query tokens at once.
///
/// The absorbed form costs (kvRank + latentDim) = 1,088 multiply-adds per query, key and head (scores
/// over the 576-dim latent, values over the 512-dim latent); the expanded form costs qHeadDim + valueDim
/// = 320, after expanding every cached latent to that head's key (W_uk c, then the shared rope key) and
/// value (W_uv c): kvRank · (nopeDim + valueDim) = 131,072 multiply-adds per key and head, once per call.
/// So it pays from about 170 query tokens on (`pays(tokens:)`); decode keeps the absorbed form, which
/// reads the least memory.
///
/// Flash-style: key blocks are the outer loop, so each block is expanded exactly once; every query block
/// that sees it updates its running maximum, normaliser and weighted value sum (online softmax). No score
/// matrix larger than queryBlock x keyBlock exists. Work is split across the workers by head.
enum ExpandedPrefill {
    /// Keys expanded at a time and queries per score tile (internal: tests shrink them to cross the
    /// block boundaries with short prompts).
    nonisolated(unsafe) static var keyBlock = 256
    nonisolated(unsafe) static var queryBlock = 256
    /// Forces the form for every prefill of more than one token (tests): true expanded, false absorbed;
    /// nil chooses by cost.
    nonisolated(unsafe) static var forced: Bool? = nil
}

extension MultiHeadLatentAttention {
    /// Whether `n` query tokens are worth expanding the cache for (see ExpandedPrefill).
    func expandedPrefillPays(tokens n: Int) -> Bool {
        guard n > 1, keyUp.count == heads else { return false }
        if let forced = ExpandedPrefill.forced { return forced }
        let absorbedPerKey = n * (latentDim + kvRank)
        let expandedPerKey = n * (qHeadDim + valueDim) + kvRank * (nopeDim + valueDim)
        return expandedPerKey < absorbedPerKey
    }

    /// out[t, h * valueDim ..< (h + 1) * valueDim] = attention of query t (q rows [n, heads * qHeadDim],
    /// rope applied, at position firstPosition + t) over cache rows 0...firstPosition + t: one sequence's
    /// tokens over that sequence's cache. The scratch is the workspace's (n <= its tokens).
    func attendExpanded(q: UnsafePointer<Float>, tokens n: Int, firstPosition: Int, cache: LatentRows,
                        out: UnsafeMutablePointer<Float>, workspace ws: Workspace, pool: WorkerPool) {
        let context = firstPosition + n
        let keyBlock = min(max(1, ExpandedPrefill.keyBlock), ws.expandedKeyBlock)
        let queryBlock = min(max(1, ExpandedPrefill.queryBlock), ws.expandedQueryBlock)
        let qWidth = heads * qHeadDim

        // Per head, contiguous: queries [n, qHeadDim], and the running state of the online softmax.
        let queries = ws.expandedQueries, sums = ws.expandedSums
        let maxima = ws.expandedMaxima, normalisers = ws.expandedNormalisers
        let latents = ws.expandedLatents, ropeKeys = ws.expandedRopeKeys
        let amx = sk_amx_enabled() != 0
        pool.forRanges(heads, minChunk: 1) { h0, h1 in
            for h in h0..<h1 {
                for t in 0..<n {
                    (queries + (h * n + t) * qHeadDim).update(from: q + t * qWidth + h * qHeadDim, count: qHeadDim)
                }
                // On AMX, split once here; every key block's score products read their rows of it.
                if amx { sk_split_rows_bf16x3(queries + h * n * qHeadDim, qHeadDim, n, qHeadDim, ws.expandedQuerySplit(head: h)) }
            }
        }
        sums.update(repeating: 0, count: heads * n * valueDim)
        maxima.update(repeating: -.infinity, count: heads * n)
        normalisers.update(repeating: 0, count: heads * n)

        var j0 = 0
        while j0 < context {
            let keys = min(keyBlock, context - j0)
            // The block's latents and rope keys, each contiguous and float32.
            for j in 0..<keys {
                cache.read(row: j0 + j, columns: 0..<kvRank, into: latents + j * kvRank)
                cache.read(row: j0 + j, columns: kvRank..<latentDim, into: ropeKeys + j * ropeDim)
            }
            // Queries that see any key of this block: positions >= j0.
            let firstQuery = max(0, j0 - firstPosition)
            pool.forChunks(heads, minChunk: 1) { worker, h0, h1 in
                let tile = ws.expandedTile(worker: worker), scratch = ws.headTokenScratch(worker: worker)
                let split = ws.expandedSplits(worker: worker)
                let keyRows = tile.keys, values = tile.values, valuesT = tile.valuesT
                let scores = tile.scores, weighted = tile.weighted
                for h in h0..<h1 {
                    // k_j = [W_uk c_j | k_pe_j], v_j = W_uv c_j; values transposed so that P · V is a product
                    // with V as the "weights".
                    keyUp[h].productOnThisThread(latents, keyRows, count: keys, ldy: qHeadDim, scratch: scratch)
                    for j in 0..<keys {
                        (keyRows + j * qHeadDim + nopeDim).update(from: ropeKeys + j * ropeDim, count: ropeDim)
                    }
                    valueUp[h].productOnThisThread(latents, values, count: keys, ldy: valueDim, scratch: scratch)
                    for j in 0..<keys {
                        for d in 0..<valueDim { valuesT[d * keys + j] = values[j * valueDim + d] }
                    }
                    if amx {  // both sides of both products split once per block into exact bf16 parts
                        sk_split_tokens_bf16x3(keyRows, keys, qHeadDim, 0, (keys + 15) / 16, split.keys)
                        sk_split_tokens_bf16x3(valuesT, valueDim, keys, 0, (valueDim + 15) / 16, split.valuesT)
                    }
                    var t0 = firstQuery
                    while t0 < n {
                        let rows = min(queryBlock, n - t0)
                        let queryRows = queries + (h * n + t0) * qHeadDim
                        if amx {
                            sk_amx_matmul_f32(ws.expandedQuerySplit(head: h), n, t0, rows, split.keys, keys, qHeadDim, scores, keys)
                        } else {
                            sk_matmul_f32(keyRows, queryRows, scores, rows, 0, keys, qHeadDim, keys)
                        }
                        for i in 0..<rows {
                            let t = t0 + i
                            let visible = min(keys, firstPosition + t + 1 - j0)  // causal: keys at positions <= t's
                            let row = scores + i * keys
                            let state = h * n + t
                            let newMax = max(maxima[state], softmaxScale * sk_max_f32(row, visible))
                            let rescale = maxima[state] == -.infinity ? 0 : exp(maxima[state] - newMax)
                            let sum = sk_exp_sum_f32(row, visible, softmaxScale, newMax)
                            if visible < keys { (row + visible).update(repeating: 0, count: keys - visible) }
                            normalisers[state] = normalisers[state] * rescale + sum
                            maxima[state] = newMax
                            let acc = sums + state * valueDim
                            for d in 0..<valueDim { acc[d] *= rescale }
                        }
                        if amx {
                            sk_split_rows_bf16x3(scores, keys, rows, keys, split.probabilities)
                            sk_amx_matmul_f32(split.probabilities, rows, 0, rows, split.valuesT, valueDim, keys, weighted, valueDim)
                        } else {
                            sk_matmul_f32(valuesT, scores, weighted, rows, 0, valueDim, keys, valueDim)
                        }
                        for i in 0..<rows {
                            let acc = sums + (h * n + t0 + i) * valueDim
                            VectorOps.axpy(1, weighted + i * valueDim, acc, count: valueDim)
                        }
                        t0 += rows
                    }
                }
            }
            j0 += keys
        }
        pool.forRanges(heads, minChunk: 1) { h0, h1 in
            for h in h0..<h1 {
                for t in 0..<n {
                    let inverse = 1 / normalisers[h * n + t]
                    let src = sums + (h * n + t) * valueDim, dst = out + t * heads * valueDim + h * valueDim
                    for d in 0..<valueDim { dst[d] = src[d] * inverse }
                }
            }
        }
    }
}
