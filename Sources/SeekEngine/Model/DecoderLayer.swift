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

    /// Advances the residual stream h[n, dim] of n tokens at positions start..<start+n.
    func callAsFunction(_ h: UnsafeMutablePointer<Float>, count n: Int, dim: Int, start: Int,
                        cache: UnsafeMutablePointer<Float>, eps: Float) {
        let normed = UnsafeMutablePointer<Float>.allocate(capacity: n * dim)
        let delta = UnsafeMutablePointer<Float>.allocate(capacity: n * dim)
        defer { normed.deallocate(); delta.deallocate() }

        normalize(h, into: normed, weight: inputNorm, count: n, dim: dim, eps: eps)
        PhaseClock.measure(.attention) { attention(normed, delta, count: n, start: start, cache: cache) }
        for i in 0..<(n * dim) { h[i] += delta[i] }

        normalize(h, into: normed, weight: postAttentionNorm, count: n, dim: dim, eps: eps)
        switch feedForward {
        case .dense(let mlp): PhaseClock.measure(.dense) { mlp(normed, delta, count: n) }
        case .moe(let moe): PhaseClock.measure(.experts) { moe(normed, delta, count: n, dim: dim) }
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
