import Foundation
import XCTest
import SeekKernels
@testable import SeekEngine

/// The worker pool (sk_parallel_run, and WorkerPool over it): every task runs exactly once, nested and concurrent regions
/// complete (inline), and regions after the workers went to sleep still run.
final class KernelParallelTests: XCTestCase {
    private func countRuns(_ count: Int) -> [Int32] {
        var runs = [Int32](repeating: 0, count: count)
        runs.withUnsafeMutableBufferPointer { buffer in
            sk_parallel_run({ context, index in
                context!.assumingMemoryBound(to: Int32.self)[Int(index)] += 1  // each task its own slot
            }, buffer.baseAddress!, count)
        }
        return runs
    }

    func testEveryTaskRunsOnce() {
        for count in [0, 1, 2, 3, 8] {
            for _ in 0..<200 { XCTAssertEqual(countRuns(count), [Int32](repeating: 1, count: count), "\(count) tasks") }
        }
        usleep(300_000)  // past the spin time: the workers sleep and must be woken
        XCTAssertEqual(countRuns(4), [1, 1, 1, 1])
    }

    func testNestedAndConcurrentRegionsComplete() {
        let pool = WorkerPool(threads: 3)
        var sums = [Int](repeating: 0, count: 6)
        sums.withUnsafeMutableBufferPointer { sums in
            nonisolated(unsafe) let base = sums.baseAddress!
            pool.forWorkers(3) { worker, begin, end in
                // A region inside a region runs on this worker's thread.
                pool.forRanges(100, minChunk: 1) { b, e in
                    for i in b..<e { base[worker] += i }
                }
            }
            // Two threads starting regions at the same time: one gets the pool, the other runs inline.
            DispatchQueue.concurrentPerform(iterations: 2) { t in
                pool.forRanges(1000, minChunk: 1) { b, e in
                    for i in b..<e { _ = i }
                }
                base[3 + t] = 1
            }
        }
        XCTAssertEqual(Array(sums[0..<3]), [4950, 4950, 4950])
        XCTAssertEqual(Array(sums[3..<5]), [1, 1])
    }

    /// Each model keeps the thread count it was loaded with (no process-wide setting).
    func testEachModelHasItsOwnWorkerCount() throws {
        let folder = try SharedData.fixture("tiny-lite")
        var options = LoadOptions()
        options.contextSize = 16
        options.threads = 1
        let one = try DeepSeekModel.load(folder: folder, options: options)
        options.threads = 3
        let three = try DeepSeekModel.load(folder: folder, options: options)
        XCTAssertEqual(one.workerPool.threads, 1)
        XCTAssertEqual(three.workerPool.threads, 3)
        XCTAssertEqual(WorkerPool(threads: 0).threads, ProcessInfo.processInfo.activeProcessorCount)
        // Both still compute the same logits.
        XCTAssertEqual(try one.forward([1, 2, 3], allLogits: true), try three.forward([1, 2, 3], allLogits: true))
        XCTAssertGreaterThan(one.workspaceBytes, 0)
    }

    /// forRanges and forWorkers cover 0..<count exactly once, in chunks of at least minChunk.
    func testRangesCoverEveryIndexOnce() {
        let pool = WorkerPool(threads: 4)
        for count in [0, 1, 5, 64, 1000] {
            var hits = [Int32](repeating: 0, count: count)
            hits.withUnsafeMutableBufferPointer { hits in
                nonisolated(unsafe) let base = hits.baseAddress
                pool.forWorkers(count, minChunk: 16) { worker, begin, end in
                    XCTAssertTrue(worker < 4 && (end - begin >= 16 || count < 32))
                    for i in begin..<end { base![i] += 1 }
                }
            }
            XCTAssertEqual(hits, [Int32](repeating: 1, count: count), "\(count) items")
        }
    }
}
