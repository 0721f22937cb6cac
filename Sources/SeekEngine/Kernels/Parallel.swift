import Dispatch

/// Splits work across the worker threads. Dispatch keeps its worker threads alive between calls, so
/// nothing is created per token.
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
        // The chunks are disjoint and concurrentPerform returns only when all are done, so sharing the
        // non-Sendable closure (and the buffers it captures) is safe.
        withoutActuallyEscaping(body) { body in
            let shared = UncheckedSendable(body)
            DispatchQueue.concurrentPerform(iterations: workers) { w in
                let begin = count * w / workers
                let end = count * (w + 1) / workers
                if begin < end { shared.value(begin, end) }
            }
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
        withoutActuallyEscaping(body) { body in
            let shared = UncheckedSendable(body)
            DispatchQueue.concurrentPerform(iterations: workers) { w in
                let begin = count * w / workers
                let end = count * (w + 1) / workers
                if begin < end { shared.value(w, begin, end) }
            }
        }
    }
}

/// Wraps a value whose concurrent use the caller has made safe by construction.
struct UncheckedSendable<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
