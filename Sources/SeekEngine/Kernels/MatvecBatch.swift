/// Several independent matrix-vector products run as one parallel region: the rows of all of them (in
/// whole 8-row groups) are cut into one equal share per worker. Decoding a MoE layer is 21 small products
/// (gate, up, down of 6 routed experts and the shared ones); one region per stage instead of one per
/// product saves the wake-ups and lets each worker stream longer runs of consecutive weights.
struct MatvecJob {
    let matrix: WeightMatrix
    let x: UnsafePointer<Float>
    let y: UnsafeMutablePointer<Float>
}

extension WorkerPool {
    func matvecs(_ jobs: UnsafeBufferPointer<MatvecJob>) {
        let groupRows = 8
        func groups(_ job: MatvecJob) -> Int { (job.matrix.rows + groupRows - 1) / groupRows }
        var total = 0
        for job in jobs { total += groups(job) }
        forRanges(total, minChunk: 8) { begin, end in
            var first = 0  // the job's first group in the combined numbering
            for job in jobs {
                let lo = max(begin, first) - first
                let hi = min(end, first + groups(job)) - first
                if lo < hi {
                    job.matrix.matvecRows(job.x, job.y, lo * groupRows, min(job.matrix.rows, hi * groupRows))
                }
                first += groups(job)
                if first >= end { break }
            }
        }
    }
}
