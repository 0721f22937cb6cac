/// DeepSeekMoE: routed experts chosen per token by the router, plus shared experts every token uses.
struct MixtureOfExperts: @unchecked Sendable {
    let gate: WeightMatrix
    let router: Router
    let experts: [FeedForward]
    let shared: FeedForward?

    /// Batches up to this many tokens run every expert's products in two parallel regions (decode,
    /// several sequences decoding together); larger ones (prefill) run expert by expert.
    static let smallBatch = 8

    /// out[n, dim] = Σ weight_e · expert_e(x) + shared(x). The tokens of the whole batch (every sequence
    /// in it) are grouped by expert, so each expert's weights are read once per forward pass; each token
    /// adds its experts' outputs in expert order, however the batch is cut.
    func callAsFunction(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, count n: Int, dim: Int,
                        workspace ws: Workspace, pool: WorkerPool) {
        let k = router.topK
        gate.matmul(x, ws.routerLogits, count: n, pool: pool, scratch: ws.tokenScratch)
        for t in 0..<n {
            router.route(logits: ws.routerLogits + t * router.experts, experts: ws.routeExperts + t * k,
                         weights: ws.routeWeights + t * k, scratch: ws.router)
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
        if n <= MixtureOfExperts.smallBatch {
            smallBatch(x, out, count: n, dim: dim, workspace: ws, pool: pool)
            return
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

    /// A few tokens, grouped by expert in ws.slotTokens: every chosen expert's and the shared experts'
    /// gate and up products as one parallel region, then all their down products as another (FeedForward
    /// would make three regions per expert).
    private func smallBatch(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, count n: Int, dim: Int,
                            workspace ws: Workspace, pool: WorkerPool) {
        let slots = n * router.topK
        let rows = ws.expertInput, results = ws.expertOutput  // [slots + n, dim]: routed, then shared
        for i in 0..<slots { (rows + i * dim).update(from: x + Int(ws.slotTokens[i]) * dim, count: dim) }
        let gates = ws.gate, ups = ws.up, jobs = ws.jobs

        // (expert, first slot, slots) of every expert with tokens, then the shared experts on all rows.
        func forEachProduct(_ body: (FeedForward, _ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>,
                                     _ count: Int, _ hiddenOffset: Int) -> Void) {
            var begin = 0, offset = 0
            for e in 0..<router.experts where ws.expertStarts[e] > begin {
                let count = ws.expertStarts[e] - begin
                body(experts[e], rows + begin * dim, results + begin * dim, count, offset)
                offset += count * experts[e].hidden
                begin = ws.expertStarts[e]
            }
            if let shared { body(shared, x, results + slots * dim, n, offset) }
        }
        var jobCount = 0
        var hiddenTotal = 0
        forEachProduct { mlp, input, _, count, offset in
            jobs[jobCount] = ProductJob(matrix: mlp.gate, x: input, y: gates + offset, count: count)
            jobs[jobCount + 1] = ProductJob(matrix: mlp.up, x: input, y: ups + offset, count: count)
            jobCount += 2
            hiddenTotal = offset + count * mlp.hidden
        }
        pool.products(UnsafeBufferPointer(start: jobs, count: jobCount))
        VectorOps.siluMultiply(gates, ups, count: hiddenTotal)
        jobCount = 0
        forEachProduct { mlp, _, output, count, offset in
            jobs[jobCount] = ProductJob(matrix: mlp.down, x: gates + offset, y: output, count: count)
            jobCount += 1
        }
        pool.products(UnsafeBufferPointer(start: jobs, count: jobCount))

        // The shared experts' output first, then the routed ones in expert order, as the large path.
        if shared != nil {
            out.update(from: results + slots * dim, count: n * dim)
        } else {
            out.initialize(repeating: 0, count: n * dim)
        }
        for i in 0..<slots {
            VectorOps.axpy(ws.slotWeights[i], results + i * dim, out + Int(ws.slotTokens[i]) * dim, count: dim)
        }
    }

    /// Bytes streamed per token in decode: the router, the shared experts and top-k routed experts.
    var activeBytesPerToken: Int {
        gate.byteCount + (shared?.byteCount ?? 0) + router.topK * (experts.first?.byteCount ?? 0)
    }
}
