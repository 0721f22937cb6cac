/// DeepSeekMoE: routed experts chosen per token by the router, plus shared experts every token uses.
struct MixtureOfExperts: @unchecked Sendable {
    let gate: WeightMatrix
    let router: Router
    let experts: [FeedForward]
    let shared: FeedForward?

    /// out[n, dim] = Σ weight_e · expert_e(x) + shared(x). The tokens of the whole batch (every sequence
    /// in it) are grouped by expert, so each expert's weights are read once per forward pass.
    func callAsFunction(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, count n: Int, dim: Int,
                        workspace ws: Workspace, pool: WorkerPool) {
        let k = router.topK
        gate.matmul(x, ws.routerLogits, count: n, pool: pool)
        for t in 0..<n {
            router.route(logits: ws.routerLogits + t * router.experts, experts: ws.routeExperts + t * k,
                         weights: ws.routeWeights + t * k, scratch: ws.router)
        }

        if n == 1 {
            // Expert order, as the batched path adds them, so both give the same floats.
            sortByExpert(ws.routeExperts, ws.routeWeights, count: k)
            decodeToken(x, out, dim: dim, workspace: ws, pool: pool)
            return
        }
        // Group the (token, weight) slots by expert, tokens in order (a counting sort): afterwards
        // expertStarts[e] is where expert e's slots end and expert e + 1's begin.
        let starts = ws.expertStarts
        starts.initialize(repeating: 0, count: router.experts + 1)
        for s in 0..<(n * k) { starts[Int(ws.routeExperts[s]) + 1] += 1 }
        for e in 0..<router.experts { starts[e + 1] += starts[e] }
        for s in 0..<(n * k) {
            let e = Int(ws.routeExperts[s])
            ws.slotTokens[starts[e]] = Int32(s / k)
            ws.slotWeights[starts[e]] = ws.routeWeights[s]
            starts[e] += 1
        }

        if let shared {
            shared(x, out, count: n, workspace: ws, pool: pool)
        } else {
            out.initialize(repeating: 0, count: n * dim)
        }
        let rows = ws.expertInput, result = ws.expertOutput
        var begin = 0
        for e in 0..<router.experts {
            let end = starts[e]
            defer { begin = end }
            guard end > begin else { continue }
            for i in begin..<end { (rows + (i - begin) * dim).update(from: x + Int(ws.slotTokens[i]) * dim, count: dim) }
            experts[e](rows, result, count: end - begin, workspace: ws, pool: pool)
            for i in begin..<end {
                VectorOps.axpy(ws.slotWeights[i], result + (i - begin) * dim, out + Int(ws.slotTokens[i]) * dim, count: dim)
            }
        }
    }

    private func sortByExpert(_ experts: UnsafeMutablePointer<Int32>, _ weights: UnsafeMutablePointer<Float>, count: Int) {
        for i in 1..<max(1, count) {
            var j = i
            while j > 0 && experts[j - 1] > experts[j] {
                (experts[j - 1], experts[j]) = (experts[j], experts[j - 1])
                (weights[j - 1], weights[j]) = (weights[j], weights[j - 1])
                j -= 1
            }
        }
    }

    /// One token, routed to ws.routeExperts / ws.routeWeights: the routed and shared experts' gate and
    /// up products as one parallel region, then all their down products as another (FeedForward would
    /// make three regions per expert).
    private func decodeToken(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, dim: Int,
                             workspace ws: Workspace, pool: WorkerPool) {
        let k = router.topK
        let mlpCount = k + (shared == nil ? 0 : 1)
        func mlp(_ i: Int) -> FeedForward { i < k ? experts[Int(ws.routeExperts[i])] : shared! }
        let gates = ws.gate, ups = ws.up, results = ws.expertOutput, jobs = ws.jobs
        var offset = 0
        for i in 0..<mlpCount {
            jobs[2 * i] = MatvecJob(matrix: mlp(i).gate, x: x, y: gates + offset)
            jobs[2 * i + 1] = MatvecJob(matrix: mlp(i).up, x: x, y: ups + offset)
            offset += mlp(i).hidden
        }
        pool.matvecs(UnsafeBufferPointer(start: jobs, count: 2 * mlpCount))
        VectorOps.siluMultiply(gates, ups, count: offset)
        offset = 0
        for i in 0..<mlpCount {
            jobs[i] = MatvecJob(matrix: mlp(i).down, x: gates + offset, y: results + i * dim)
            offset += mlp(i).hidden
        }
        pool.matvecs(UnsafeBufferPointer(start: jobs, count: mlpCount))
        // The shared experts' output first, then the routed ones, as the batched path.
        if shared != nil {
            out.update(from: results + k * dim, count: dim)
        } else {
            out.initialize(repeating: 0, count: dim)
        }
        for i in 0..<k {
            VectorOps.axpy(ws.routeWeights[i], results + i * dim, out, count: dim)
        }
    }

    /// Bytes streamed per token in decode: the router, the shared experts and top-k routed experts.
    var activeBytesPerToken: Int {
        gate.byteCount + (shared?.byteCount ?? 0) + router.topK * (experts.first?.byteCount ?? 0)
    }
}
