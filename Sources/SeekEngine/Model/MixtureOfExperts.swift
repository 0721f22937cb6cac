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

        if n == 1 {
            // Expert order, as the batched path adds them, so both give the same floats.
            decodeToken(x, out, routes: router.route(logits: logits).sorted { $0.expert < $1.expert }, dim: dim)
            return
        }
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

    /// One token: the routed and shared experts' gate and up products as one parallel region, then all
    /// their down products as another (FeedForward would make three regions per expert).
    private func decodeToken(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>,
                             routes: [(expert: Int, weight: Float)], dim: Int) {
        var mlps = routes.map { experts[$0.expert] }
        if let shared { mlps.append(shared) }
        let hiddenTotal = mlps.reduce(0) { $0 + $1.hidden }
        let gates = UnsafeMutablePointer<Float>.allocate(capacity: hiddenTotal)
        let ups = UnsafeMutablePointer<Float>.allocate(capacity: hiddenTotal)
        let results = UnsafeMutablePointer<Float>.allocate(capacity: mlps.count * dim)
        defer { gates.deallocate(); ups.deallocate(); results.deallocate() }
        var offsets: [Int] = []
        var offset = 0
        for mlp in mlps {
            offsets.append(offset)
            offset += mlp.hidden
        }
        var jobs: [MatvecJob] = []
        for (i, mlp) in mlps.enumerated() {
            jobs.append(MatvecJob(matrix: mlp.gate, x: x, y: gates + offsets[i]))
            jobs.append(MatvecJob(matrix: mlp.up, x: x, y: ups + offsets[i]))
        }
        Parallel.matvecs(jobs)
        VectorOps.siluMultiply(gates, ups, count: hiddenTotal)
        Parallel.matvecs(mlps.enumerated().map { i, mlp in
            MatvecJob(matrix: mlp.down, x: gates + offsets[i], y: results + i * dim)
        })
        // The shared experts' output first, then the routed ones, as the batched path.
        if shared != nil {
            out.update(from: results + routes.count * dim, count: dim)
        } else {
            out.initialize(repeating: 0, count: dim)
        }
        for (i, route) in routes.enumerated() {
            VectorOps.axpy(route.weight, results + i * dim, out, count: dim)
        }
    }

    /// Bytes streamed per token in decode: the router, the shared experts and top-k routed experts.
    var activeBytesPerToken: Int {
        gate.byteCount + (shared?.byteCount ?? 0) + router.topK * (experts.first?.byteCount ?? 0)
    }
}
