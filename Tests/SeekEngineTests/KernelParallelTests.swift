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

    /// forChunks and forNumberedChunks cover 0..<count exactly once, in chunks of at least minChunk; the
    /// numbered chunks are 0..<chunks, each once, in the order of their ranges, and at most threads x chunksPerWorker.
    func testClaimedChunksCoverEveryIndexOnce() {
        let pool = WorkerPool(threads: 4)
        for count in [0, 1, 5, 64, 1000, 100_000] {
            var hits = [Int32](repeating: 0, count: count)
            var starts = [Int](repeating: -1, count: pool.threads * WorkerPool.chunksPerWorker)
            var chunks = 0
            hits.withUnsafeMutableBufferPointer { hits in
                nonisolated(unsafe) let base = hits.baseAddress
                pool.forChunks(count, minChunk: 16) { worker, begin, end in
                    XCTAssertTrue(worker < 4 && (end - begin >= 16 || count < 32))
                    for i in begin..<end { base![i] += 1 }
                }
                starts.withUnsafeMutableBufferPointer { starts in
                    nonisolated(unsafe) let startOf = starts.baseAddress!
                    chunks = pool.forNumberedChunks(count, minChunk: 16) { chunk, begin, end in
                        XCTAssertTrue(end - begin >= 16 || count < 32)
                        startOf[chunk] = begin
                        for i in begin..<end { base![i] += 1 }
                    }
                }
            }
            XCTAssertEqual(hits, [Int32](repeating: 2, count: count), "\(count) items")
            XCTAssertTrue(chunks >= 1 && chunks <= pool.threads * WorkerPool.chunksPerWorker)
            XCTAssertEqual(starts[0], 0)
            for c in 1..<chunks { XCTAssertGreaterThan(starts[c], starts[c - 1], "chunk \(c) of \(count) items") }
        }
    }

    /// A worker held up in its first chunk leaves the rest to the others instead of holding the region
    /// up by a fixed share (as forWorkers would: half of 16 chunks each).
    func testASlowWorkerTakesFewerChunks() {
        let pool = WorkerPool(threads: 2)
        var taken = [0, 0, 1]  // chunks per worker, then whether worker 0 has yet to be held up
        taken.withUnsafeMutableBufferPointer { taken in
            nonisolated(unsafe) let state = taken.baseAddress!
            pool.forChunks(16 * 1024, minChunk: 1024) { worker, _, _ in
                state[worker] += 1
                if worker == 0 && state[2] == 1 {
                    state[2] = 0
                    usleep(200_000)  // far longer than the other worker needs for every other chunk
                }
            }
        }
        XCTAssertEqual(taken[0] + taken[1], 16)
        XCTAssertLessThan(taken[0], 4, "the slowed worker took \(taken[0]) of 16 chunks")
    }
}
