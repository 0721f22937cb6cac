import Foundation
import XCTest
@testable import SeekEngine

/// Weights copied into memory at load (LoadOptions.copyWeights, `--no-mmap`) compute exactly what the
/// mapped files compute, for stored (f16) and `seek quantize`d (q4) folders; the arena puts large
/// buffers on 2 MiB boundaries for huge pages.
final class CopiedWeightsTests: XCTestCase {
    private func logits(_ folder: String, copy: Bool) throws -> (all: [Float], next: [Float], copied: Bool) {
        var options = LoadOptions()
        options.contextSize = 64
        options.copyWeights = copy
        let model = try DeepSeekModel.load(folder: folder, options: options)
        return (try model.forward([3, 14, 15, 92, 65], allLogits: true), try model.forward([7]), model.weightsCopied)
    }

    func testCopiedWeightsGiveTheSameLogits() throws {
        let stored = try SharedData.fixture("tiny-v2")
        let quantized = NSTemporaryDirectory() + "seek-copy-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: quantized) }
        _ = try ModelQuantizer.quantize(folder: stored, format: .q4, output: quantized)
        for folder in [stored, quantized] {
            let mapped = try logits(folder, copy: false), copied = try logits(folder, copy: true)
            XCTAssertFalse(mapped.copied)
            XCTAssertTrue(copied.copied)
            XCTAssertEqual(copied.all, mapped.all, folder)
            XCTAssertEqual(copied.next, mapped.next, folder)
        }
    }

    func testArenaPutsLargeBuffersOnHugePageBoundaries() {
        let arena = WeightArena()
        let large = arena.allocate(3 * WeightArena.hugePage + 5), small = arena.allocate(100)
        XCTAssertEqual(Int(bitPattern: large) % WeightArena.hugePage, 0)
        XCTAssertEqual(Int(bitPattern: small) % 64, 0)
        // Every byte of the large buffer is there to write and read back.
        let bytes = large.assumingMemoryBound(to: UInt8.self), count = 3 * WeightArena.hugePage + 5
        for i in stride(from: 0, to: count, by: 4093) { bytes[i] = UInt8(truncatingIfNeeded: i) }
        bytes[count - 1] = 7
        for i in stride(from: 0, to: count, by: 4093) { XCTAssertEqual(bytes[i], UInt8(truncatingIfNeeded: i)) }
        XCTAssertEqual(bytes[count - 1], 7)
        XCTAssertEqual(arena.byteCount, count + 100)
    }
}
