/// Several independent products Y[n, rows] = X[n, cols] · Wᵀ run as one parallel region: the rows of all
/// of them are cut into one equal share per worker. Decoding a MoE layer is 21 small products (gate, up,
/// down of 6 routed experts and the shared ones), a few sequences decoding together a few dozen; one
/// region per stage instead of one per product saves the wake-ups and lets each worker stream longer runs
/// of consecutive weights.
struct ProductJob {
    let matrix: WeightMatrix
    /// [count, matrix.cols]
    let x: UnsafePointer<Float>
    /// [count, matrix.rows]
    let y: UnsafeMutablePointer<Float>
    /// Rows of x: 1 is a matrix-vector product.
    var count = 1
}

extension WorkerPool {
    func products(_ jobs: UnsafeBufferPointer<ProductJob>) {
        // Whole 8-row groups (quantized matrices interleave rows by 8); whole 16-row panels when a job
        // goes through the fused kernels, so only a job's last panel can be partial.
        let unit = jobs.contains { $0.count > WeightMatrix.tiledMatvecLimit } ? 16 : 8
        func units(_ job: ProductJob) -> Int { (job.matrix.rows + unit - 1) / unit }
        var total = 0
        for job in jobs { total += units(job) }
        forRanges(total, minChunk: 64 / unit) { begin, end in
            var first = 0  // the job's first unit in the combined numbering
            for job in jobs {
                let lo = max(begin, first) - first
                let hi = min(end, first + units(job)) - first
                if lo < hi {
                    job.matrix.productRows(job.x, job.y, count: job.count, lo * unit, min(job.matrix.rows, hi * unit))
                }
                first += units(job)
                if first >= end { break }
            }
        }
    }
}
