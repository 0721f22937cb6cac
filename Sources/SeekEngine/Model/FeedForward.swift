/// A SiLU-gated MLP: down(silu(gate(x)) * up(x)). Used for the dense layers, each routed expert and
/// the shared experts.
struct FeedForward: @unchecked Sendable {
    let gate: WeightMatrix
    let up: WeightMatrix
    let down: WeightMatrix

    var hidden: Int { gate.rows }
    var byteCount: Int { gate.byteCount + up.byteCount + down.byteCount }

    /// out[n, dim] = MLP(x[n, dim]), with the gate and up products in the workspace.
    func callAsFunction(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, count n: Int,
                        workspace: Workspace, pool: WorkerPool) {
        let g = workspace.gate, u = workspace.up
        WeightMatrix.matmulPair(gate, up, x, g, u, count: n, pool: pool, scratch: workspace.tokenScratch)
        VectorOps.siluMultiply(g, u, count: n * hidden)
        down.matmul(g, out, count: n, pool: pool, scratch: workspace.tokenScratch)
    }
}
