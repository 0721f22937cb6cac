/// Several independent matrix-vector products run as one parallel region: the rows of all of them (in
/// whole 8-row groups) are cut into one equal share per worker. Decoding a MoE layer is 21 small products
/// (gate, up, down of 6 routed experts and the shared ones); one region per stage instead of one per
/// product saves the wake-ups and lets each worker stream longer runs of consecutive weights.
struct MatvecJob {
    let matrix: WeightMatrix
    let x: UnsafePointer<Float>
    let y: UnsafeMutablePointer<Float>
}

extension Parallel {
    static func matvecs(_ jobs: [MatvecJob]) {
        let groupRows = 8
        var firstGroup = [Int]()  // prefix sums of each job's group count
        var total = 0
        for job in jobs {
            firstGroup.append(total)
            total += (job.matrix.rows + groupRows - 1) / groupRows
        }
        forRanges(total, minChunk: 8) { begin, end in
            for (i, job) in jobs.enumerated() {
                let lo = max(begin, firstGroup[i]) - firstGroup[i]
                let hi = min(end, firstGroup[i] + (job.matrix.rows + groupRows - 1) / groupRows) - firstGroup[i]
                if lo < hi {
                    job.matrix.matvecRows(job.x, job.y, lo * groupRows, min(job.matrix.rows, hi * groupRows))
                }
            }
        }
    }
}
