import Foundation
import SeekChat
import SeekEngine
import XCTest

/// Without --mmap or --no-mmap, weights are copied into memory when they fit in the memory available with
/// room to spare, and mapped otherwise; --no-mmap beyond the machine's memory is refused with the size.
final class WeightPlacementTests: XCTestCase {
    private var folder: String { TestFolders.fixture("tiny-chat") }

    private func startup() throws -> ModelStartup { try ModelStartup.forFolder(folder) }

    func testCopiesOnlyWhatFitsWithRoomToSpare() throws {
        let bytes = ModelSize.weightBytes(folder: folder)
        XCTAssertGreaterThan(bytes, 0)
        XCTAssertTrue(WeightPlacement.copyFits(folder: folder, quantization: nil, availableBytes: bytes * 2))
        XCTAssertFalse(WeightPlacement.copyFits(folder: folder, quantization: nil, availableBytes: bytes))
        XCTAssertFalse(WeightPlacement.copyFits(folder: folder, quantization: nil, availableBytes: bytes * 2, memoryLimit: bytes))
        // Quantized to q4 the weights are smaller, so less memory is enough.
        let q4 = try XCTUnwrap(try ModelQuantizer.quantizedBytes(folder: folder, format: .q4))
        XCTAssertTrue(WeightPlacement.copyFits(folder: folder, quantization: .q4, availableBytes: q4 * 2))

        var settings = LoadSettings(contextSize: 64)
        settings.availableMemory = bytes * 2
        XCTAssertTrue(try startup().loadOptions(settings).copyWeights)
        settings.availableMemory = bytes
        XCTAssertFalse(try startup().loadOptions(settings).copyWeights)
        settings.copyWeights = true   // --no-mmap
        XCTAssertTrue(try startup().loadOptions(settings).copyWeights)
        settings.availableMemory = bytes * 2
        settings.copyWeights = false  // --mmap
        XCTAssertFalse(try startup().loadOptions(settings).copyWeights)
    }

    func testForcedCopyLargerThanMemoryIsRefusedWithItsSize() throws {
        let bytes = ModelSize.weightBytes(folder: folder)
        var settings = LoadSettings(contextSize: 64)
        settings.copyWeights = true
        settings.memoryLimit = bytes - 1
        XCTAssertThrowsError(try startup().load(settings)) { error in
            XCTAssertEqual(error as? WeightMemoryError, .copyExceedsMemory(folder: folder, bytes: bytes, physicalBytes: bytes - 1))
            XCTAssertTrue("\(error)".contains("copying the weights into memory needs"), "\(error)")
        }
        settings.memoryLimit = nil
        let loaded = try startup().load(settings)
        XCTAssertTrue(loaded.model.weightsCopied)
    }
}
