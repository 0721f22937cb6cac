/// One transformer block: pre-norm MLA attention, then a pre-norm dense MLP or mixture of experts,
/// each added to the residual stream.
struct DecoderLayer: @unchecked Sendable {
    enum FeedForwardBlock {
        case dense(FeedForward)
        case moe(MixtureOfExperts)
    }

    let inputNorm: [Float]
    let postAttentionNorm: [Float]
    let attention: MultiHeadLatentAttention
    let feedForward: FeedForwardBlock

    /// Advances the residual stream h[n, dim] of a batch's n rows; `spans` say which sequence and
    /// position each row is (attention runs per sequence, everything else on all rows at once).
    func callAsFunction(_ h: UnsafeMutablePointer<Float>, count n: Int, dim: Int, spans: [SequenceSpan], layer: Int,
                        eps: Float, workspace ws: Workspace, pool: WorkerPool) {
        let normed = ws.normed, delta = ws.delta

        normalize(h, into: normed, weight: inputNorm, count: n, dim: dim, eps: eps)
        PhaseClock.measure(.attention) {
            attention(normed, delta, count: n, spans: spans, layer: layer, workspace: ws, pool: pool)
        }
        for i in 0..<(n * dim) { h[i] += delta[i] }

        normalize(h, into: normed, weight: postAttentionNorm, count: n, dim: dim, eps: eps)
        switch feedForward {
        case .dense(let mlp): PhaseClock.measure(.dense) { mlp(normed, delta, count: n, workspace: ws, pool: pool) }
        case .moe(let moe): PhaseClock.measure(.experts) { moe(normed, delta, count: n, dim: dim, workspace: ws, pool: pool) }
        }
        for i in 0..<(n * dim) { h[i] += delta[i] }
    }

    private func normalize(_ x: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>, weight: [Float],
                           count n: Int, dim: Int, eps: Float) {
        weight.withUnsafeBufferPointer { w in
            for t in 0..<n { VectorOps.rmsNorm(x + t * dim, w.baseAddress!, out + t * dim, count: dim, eps: eps) }
        }
    }

    /// Weight bytes one decode step reads in this layer.
    var activeBytesPerToken: Int {
        let ffn: Int
        switch feedForward {
        case .dense(let mlp): ffn = mlp.byteCount
        case .moe(let moe): ffn = moe.activeBytesPerToken
        }
        return attention.byteCount + ffn
    }
}
