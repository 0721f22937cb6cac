/// A SiLU-gated MLP: down(silu(gate(x)) * up(x)). Used for the dense layers, each routed expert and
/// the shared experts.
struct FeedForward: @unchecked Sendable {
    let gate: WeightMatrix
    let up: WeightMatrix
    let down: WeightMatrix

    var hidden: Int { gate.rows }
    var byteCount: Int { gate.byteCount + up.byteCount + down.byteCount }

    /// out[n, dim] = MLP(x[n, dim]).
    func callAsFunction(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, count n: Int) {
        let g = UnsafeMutablePointer<Float>.allocate(capacity: n * hidden)
        let u = UnsafeMutablePointer<Float>.allocate(capacity: n * hidden)
        defer { g.deallocate(); u.deallocate() }
        gate.matmul(x, g, count: n)
        up.matmul(x, u, count: n)
        VectorOps.siluMultiply(g, u, count: n * hidden)
        down.matmul(g, out, count: n)
    }
}
