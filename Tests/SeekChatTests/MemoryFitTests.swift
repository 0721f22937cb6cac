import Foundation
import SeekChat
import SeekEngine
import XCTest

/// Weights larger than memory are said at load, with the quantized sizes that would fit; "auto"
/// picks the most precise weights that fit. The memory figure is injected.
final class MemoryFitTests: XCTestCase {
    private var folder: String { TestFolders.fixture("tiny-chat") }

    func testSizesAndTheBestFit() throws {
        let stored = ModelSize.weightBytes(folder: folder)
        let roomy = try XCTUnwrap(MemoryFit.assess(folder: folder, quantization: nil, availableBytes: 100_000_000))
        XCTAssertEqual(roomy.weightBytes, stored)
        XCTAssertTrue(roomy.fits)
        XCTAssertNil(roomy.bestFit)
        let q8 = try XCTUnwrap(roomy.q8Bytes), q4 = try XCTUnwrap(roomy.q4Bytes)
        XCTAssertLessThan(q4, q8)
        XCTAssertLessThan(q8, stored)

        let tight = try XCTUnwrap(MemoryFit.assess(folder: folder, quantization: nil, availableBytes: q8 + 1))
        XCTAssertFalse(tight.fits)
        XCTAssertEqual(tight.bestFit, .q8)
        XCTAssertEqual(MemoryFit.assess(folder: folder, quantization: nil, availableBytes: q4)?.bestFit, .q4)
        XCTAssertEqual(MemoryFit.assess(folder: folder, quantization: .q4, availableBytes: q4)?.fits, true)
        XCTAssertTrue("\(ChatWarning.weightsExceedMemory(fit: tight))".contains("quantized to q8 ("), "\(tight)")
    }

    func testAutoPicksWhatFitsAndATooLargeModelIsWarnedAbout() throws {
        let startup = ModelStartup(registry: ModelRegistry(file: nil, entries: []),
                                   resolved: try ModelResolver.resolve(folder, registry: ModelRegistry(file: nil, entries: [])))
        let q8 = try XCTUnwrap(MemoryFit.assess(folder: folder, quantization: nil, availableBytes: 0)?.q8Bytes)
        var settings = LoadSettings(contextSize: 64)
        settings.availableMemory = q8 + 1
        let warned = try startup.load(settings)
        XCTAssertNil(warned.model.quantization)
        guard case .weightsExceedMemory(let fit)? = warned.warnings.first else { return XCTFail("\(warned.warnings)") }
        XCTAssertEqual(fit.bestFit, .q8)

        settings.quantizeToFit = true
        let auto = try startup.load(settings)
        XCTAssertEqual(auto.model.quantization, .q8)
        XCTAssertEqual(auto.warnings, [])
        settings.availableMemory = 1 << 40
        XCTAssertNil(try startup.load(settings).model.quantization, "the stored weights when they fit")
    }

    func testTheMachineFigures() throws {
        XCTAssertNotNil(MachineMemory.memAvailable())
        let file = folder + "/model.safetensors"
        _ = try Data(contentsOf: URL(fileURLWithPath: file))  // now in the page cache
        let resident = MachineMemory.residentBytes(file)
        XCTAssertGreaterThan(resident, 0)
        XCTAssertLessThanOrEqual(resident, ModelSize.weightBytes(folder: folder))
    }
}
