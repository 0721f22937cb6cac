import Foundation
import SeekChat
import SeekEngine
import XCTest

/// `--quant` on unquantized weights without a quantized-model cache quantizes while loading: the copy
/// lives in memory, so it is checked against the machine's memory (injected here) before allocating,
/// and the error says how much it needs.
final class QuantizedCopyMemoryTests: XCTestCase {
    private var folder: String { TestFolders.fixture("tiny-chat") }

    private func startup() throws -> ModelStartup { try ModelStartup.forFolder(folder) }

    func testAQuantizedCopyLargerThanMemoryIsRefusedWithItsSize() throws {
        let needed = try XCTUnwrap(try ModelQuantizer.inMemoryBytes(folder: folder, format: .q8))
        let q4 = try XCTUnwrap(try ModelQuantizer.inMemoryBytes(folder: folder, format: .q4))
        XCTAssertGreaterThan(needed, q4)
        XCTAssertGreaterThan(q4, 0)

        var settings = LoadSettings(contextSize: 64, quantization: .q8)
        settings.memoryLimit = needed - 1
        XCTAssertThrowsError(try startup().load(settings)) { error in
            XCTAssertEqual(error as? WeightMemoryError,
                           .quantizedCopyExceedsMemory(folder: folder, format: .q8, bytes: needed, physicalBytes: needed - 1))
            let text = "\(error)"
            XCTAssertTrue(text.contains("quantizing to q8 while loading needs"), text)
            XCTAssertTrue(text.contains(WeightMemoryError.gibibytesText(needed)), text)
        }

        // The same limit does not stop weights that are mapped from their files rather than copied.
        settings.quantization = nil
        do { _ = try startup().load(settings) } catch {
            XCTAssertFalse(error is WeightMemoryError, "\(error)")  // the workspace's own check may refuse
        }

        // With room, the quantized copy is made.
        settings.quantization = .q8
        settings.memoryLimit = 64 << 30
        XCTAssertEqual(try startup().load(settings).model.quantization, .q8)
    }
}
