import SeekKernels

/// Splits work across the worker threads: SeekKernels' persistent pool (sk_parallel_run), whose workers
/// spin briefly between regions, so nothing is created per token and back-to-back regions start in
/// about a microsecond.
public enum Parallel {
    /// Number of workers; set once at load time from `--threads`.
    nonisolated(unsafe) public static var threads = 1

    /// Calls `body(begin, end)` on disjoint chunks of 0..<count, in parallel when the work is big enough.
    @inline(__always)
    static func forRanges(_ count: Int, minChunk: Int = 16, _ body: (Int, Int) -> Void) {
        let workers = min(threads, max(1, count / minChunk))
        if workers <= 1 {
            body(0, count)
            return
        }
        run(workers) { w in
            let begin = count * w / workers
            let end = count * (w + 1) / workers
            if begin < end { body(begin, end) }
        }
    }
}

extension Parallel {
    /// Like `forRanges`, and also passes the worker's index (0..<threads) so each can use its own buffers.
    static func forWorkers(_ count: Int, minChunk: Int = 1, _ body: (_ worker: Int, _ begin: Int, _ end: Int) -> Void) {
        let workers = min(threads, max(1, count / minChunk))
        if workers <= 1 {
            body(0, 0, count)
            return
        }
        run(workers) { w in
            let begin = count * w / workers
            let end = count * (w + 1) / workers
            if begin < end { body(w, begin, end) }
        }
    }
}

extension Parallel {
    /// Calls task(0..<count) on the pool and returns when all are done. The tasks work on disjoint
    /// data and the call returns only after they finish, so handing the non-escaping, non-Sendable
    /// closure to the worker threads is safe.
    private static func run(_ count: Int, _ task: (Int) -> Void) {
        withoutActuallyEscaping(task) { task in
            let box = TaskBox(task)
            withExtendedLifetime(box) {
                sk_parallel_run({ context, index in
                    Unmanaged<TaskBox>.fromOpaque(context!).takeUnretainedValue().task(Int(index))
                }, Unmanaged.passUnretained(box).toOpaque(), count)
            }
        }
    }
}

private final class TaskBox {
    let task: (Int) -> Void
    init(_ task: @escaping (Int) -> Void) { self.task = task }
}
