/// DeepSeekMoE: routed experts chosen per token by the router, plus shared experts every token uses.
struct MixtureOfExperts: @unchecked Sendable {
    let gate: WeightMatrix
    let router: Router
    let experts: [FeedForward]
    let shared: FeedForward?

    /// out[n, dim] = Σ weight_e · expert_e(x) + shared(x). Tokens are grouped by expert so each expert
    /// runs once over all its tokens (a matrix product in prefill).
    func callAsFunction(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, count n: Int, dim: Int) {
        let logits = UnsafeMutablePointer<Float>.allocate(capacity: n * router.experts)
        defer { logits.deallocate() }
        gate.matmul(x, logits, count: n)

        var assigned = [[(token: Int, weight: Float)]](repeating: [], count: router.experts)
        for t in 0..<n {
            for (e, w) in router.route(logits: logits + t * router.experts) { assigned[e].append((t, w)) }
        }

        if let shared {
            shared(x, out, count: n)
        } else {
            out.initialize(repeating: 0, count: n * dim)
        }
        let rows = UnsafeMutablePointer<Float>.allocate(capacity: n * dim)
        let result = UnsafeMutablePointer<Float>.allocate(capacity: n * dim)
        defer { rows.deallocate(); result.deallocate() }
        for (e, tokens) in assigned.enumerated() where !tokens.isEmpty {
            for (i, t) in tokens.enumerated() { (rows + i * dim).update(from: x + t.token * dim, count: dim) }
            experts[e](rows, result, count: tokens.count)
            for (i, t) in tokens.enumerated() {
                VectorOps.axpy(t.weight, result + i * dim, out + t.token * dim, count: dim)
            }
        }
    }

    /// Bytes streamed per token in decode: the router, the shared experts and top-k routed experts.
    var activeBytesPerToken: Int {
        gate.byteCount + (shared?.byteCount ?? 0) + router.topK * (experts.first?.byteCount ?? 0)
    }
}
