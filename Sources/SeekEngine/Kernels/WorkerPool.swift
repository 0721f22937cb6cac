import CBLAS
import Foundation
import SeekKernels

/// The workers one model splits its parallel regions across. Each loaded model owns one, made from its
/// `LoadOptions.threads`, and hands it down to its layers, so two models in one process each run with
/// their own thread count.
///
/// The threads themselves are SeekKernels' persistent pool (sk_parallel_chunks over sk_parallel_run),
/// whose workers spin briefly between regions, so nothing is created per token and back-to-back regions
/// start in about a microsecond. Those threads are a process-wide resource: a region started while
/// another one runs (nested, or from a second model on another thread) runs inline on its caller.
public final class WorkerPool: @unchecked Sendable {
    /// Workers a region is split into (the calling thread is one of them).
    public let threads: Int

    /// Most workers a pool has (SeekKernels runs at most 255 threads besides the caller); more asked for
    /// are not made, and would only size per-worker scratch.
    public static let maxThreads = 256

    /// A pool of `threads` workers (at most `maxThreads`); 0 or less means one per core.
    public init(threads: Int = 0) {
        self.threads = min(threads > 0 ? threads : ProcessInfo.processInfo.activeProcessorCount, WorkerPool.maxThreads)
        _ = WorkerPool.openBLASSingleThreaded
    }

    /// seek splits the work across its own workers and calls OpenBLAS single-threaded inside them: two
    /// thread pools spinning on the same cores would starve each other. OpenBLAS's thread count is
    /// process-wide by nature, so it is set once, the first time any pool is made.
    private static let openBLASSingleThreaded: Void = openblas_set_num_threads(1)

    /// Calls `body(share, begin, end)` on one equal share of 0..<count per worker (at least `minChunk`
    /// items each, except when there is only one), in parallel when there is enough work. `share`
    /// (0..<threads) is the share's own index, for bodies that keep a result per share.
    @inline(__always)
    func forWorkers(_ count: Int, minChunk: Int = 1, _ body: (_ share: Int, _ begin: Int, _ end: Int) -> Void) {
        let workers = min(threads, max(1, count / max(1, minChunk)))
        if workers <= 1 {
            body(0, 0, count)
            return
        }
        claim(workers: workers, chunks: workers) { _, share in
            body(share, count * share / workers, count * (share + 1) / workers)
        }
    }

    /// Chunks per worker that `forChunks` cuts a region into: enough that a worker slowed by a busy
    /// neighbour on its core hands most of its share to the others, few enough that each chunk is still a
    /// long run of consecutive rows.
    static let chunksPerWorker = 8

    /// Calls `body(worker, begin, end)` on disjoint chunks of 0..<count (at least `minChunk` items each,
    /// except when there is only one) that the workers claim one at a time (sk_parallel_chunks), so the
    /// region ends when the work does, not when the slowest worker's fixed share does. For bodies whose
    /// result does not depend on which worker runs a chunk or on how the range is cut (independent output
    /// rows or heads, the worker's scratch only as scratch); `forWorkers` keeps the fixed split for those
    /// that keep per-worker state.
    @inline(__always)
    func forChunks(_ count: Int, minChunk: Int = 1, _ body: (_ worker: Int, _ begin: Int, _ end: Int) -> Void) {
        _ = forClaimedChunks(count, minChunk: minChunk) { worker, _, begin, end in body(worker, begin, end) }
    }

    /// `forChunks` whose body also gets its chunk's index, 0..<chunks in the order of the ranges, and
    /// which returns `chunks` (`chunkCount`): for per-chunk results merged in that order afterwards,
    /// the same whichever worker made each.
    @discardableResult @inline(__always)
    func forNumberedChunks(_ count: Int, minChunk: Int = 1, _ body: (_ chunk: Int, _ begin: Int, _ end: Int) -> Void) -> Int {
        forClaimedChunks(count, minChunk: minChunk) { _, chunk, begin, end in body(chunk, begin, end) }
    }

    /// The chunks `forChunks` and `forNumberedChunks` cut `count` items into on `threads` workers (at least
    /// 1): what room for per-chunk results must hold.
    static func chunkCount(_ count: Int, minChunk: Int, threads: Int) -> Int {
        threads <= 1 ? 1 : max(1, min(count / max(1, minChunk), threads * chunksPerWorker))
    }

    @inline(__always)
    private func forClaimedChunks(_ count: Int, minChunk: Int,
                                  _ body: (_ worker: Int, _ chunk: Int, _ begin: Int, _ end: Int) -> Void) -> Int {
        let chunks = WorkerPool.chunkCount(count, minChunk: minChunk, threads: threads)
        if chunks == 1 {
            body(0, 0, 0, count)
            return 1
        }
        claim(workers: threads, chunks: chunks) { worker, chunk in
            let begin = count * chunk / chunks
            let end = count * (chunk + 1) / chunks
            body(worker, chunk, begin, end)
        }
        return chunks
    }

    /// `forChunks` for bodies that need no per-worker scratch.
    @inline(__always)
    func forRanges(_ count: Int, minChunk: Int = 16, _ body: (_ begin: Int, _ end: Int) -> Void) {
        forChunks(count, minChunk: minChunk) { _, begin, end in body(begin, end) }
    }

    /// Calls task(worker, chunk) for every chunk < chunks, the workers claiming chunks one at a time;
    /// returns when all are done. The tasks work on disjoint data and the call returns only after they
    /// finish, so handing the non-escaping, non-Sendable closure to the worker threads is safe.
    private func claim(workers: Int, chunks: Int, _ task: (Int, Int) -> Void) {
        withoutActuallyEscaping(task) { task in
            let box = TaskBox(task)
            withExtendedLifetime(box) {
                sk_parallel_chunks({ context, worker, chunk in
                    Unmanaged<TaskBox>.fromOpaque(context!).takeUnretainedValue().task(Int(worker), Int(chunk))
                }, Unmanaged.passUnretained(box).toOpaque(), workers, chunks)
            }
        }
    }
}

private final class TaskBox {
    let task: (Int, Int) -> Void
    init(_ task: @escaping (Int, Int) -> Void) { self.task = task }
}
