import Foundation
import SeekChat
import SeekEngine
import XCTest

/// `--quant` with a cache: quantize once, map afterwards; a changed source or a damaged entry is
/// rebuilt, never used. On a copy of tiny-lite in a temporary folder, with a temporary cache.
final class QuantizedModelCacheTests: XCTestCase {
    private var source = ""
    private var cache = QuantizedModelCache(root: "")

    override func setUpWithError() throws {
        let scratch = try TestFolders.temporary(for: self)
        source = scratch + "/tiny-lite"
        try FileManager.default.createDirectory(atPath: source, withIntermediateDirectories: true)
        for name in ["config.json", "model.safetensors"] {
            try FileManager.default.copyItem(atPath: TestFolders.fixture("tiny-lite") + "/" + name, toPath: source + "/" + name)
            try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: source + "/" + name)
        }
        cache = QuantizedModelCache(environment: ["XDG_CACHE_HOME": scratch + "/cache", "HOME": scratch])
        XCTAssertEqual(cache.root, scratch + "/cache/seek/models")
    }

    private func load(_ kind: QuantFormat = .q8, cache: QuantizedModelCache?) throws -> ModelStartup.WeightsLoad {
        var options = LoadOptions()
        options.contextSize = 64
        options.quantization = kind
        return try ModelStartup.loadWeights(folder: source, options: options, cache: cache, progress: nil)
    }

    private func logits(_ model: DeepSeekModel) throws -> [Float] {
        model.resetCache()
        return try model.forward([1, 2, 3, 4, 5])
    }

    func testQuantizedOnceThenMappedWithTheSameResults() throws {
        let inMemory = try load(cache: nil)
        XCTAssertNil(inMemory.cacheEntry)
        XCTAssertGreaterThan(inMemory.model.quantizedBytes, 0)

        let first = try load(cache: cache)
        XCTAssertTrue(first.cacheBuilt)
        let entry = try XCTUnwrap(first.cacheEntry)
        XCTAssertEqual(entry.kind, .q8)
        XCTAssertEqual(entry.source, source)
        XCTAssertTrue(entry.folder.hasPrefix(cache.root + "/tiny-lite-q8-"), entry.folder)
        XCTAssertEqual(cache.list(), [entry])

        let second = try load(cache: cache)
        XCTAssertFalse(second.cacheBuilt, "the second start maps the entry")
        XCTAssertEqual(second.cacheEntry, entry)
        XCTAssertEqual(second.model.storedQuantization, .q8)
        XCTAssertEqual(second.model.folder, entry.folder)
        XCTAssertEqual(try logits(second.model), try logits(inMemory.model), "the same blocks as quantizing in memory")

        // Another kind is another entry.
        XCTAssertTrue(try load(.q4, cache: cache).cacheBuilt)
        XCTAssertEqual(Set(cache.list().map(\.kind)), [.q8, .q4])
    }

    func testAChangedSourceIsRebuiltAndItsOldEntryGoes() throws {
        let old = try XCTUnwrap(try load(cache: cache).cacheEntry)
        // Same bytes, new modification time: the identity changes.
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: 60)], ofItemAtPath: source + "/model.safetensors")
        XCTAssertEqual(cache.list().map(\.isCurrent), [false], "listed as stale")
        XCTAssertNil(cache.entry(for: source, kind: .q8))
        let rebuilt = try load(cache: cache)
        XCTAssertTrue(rebuilt.cacheBuilt)
        XCTAssertNotEqual(rebuilt.cacheEntry?.name, old.name)
        XCTAssertEqual(cache.list().map(\.name), [rebuilt.cacheEntry!.name], "the stale entry was removed")
    }

    func testADamagedEntryIsRebuiltNotTrusted() throws {
        let entry = try XCTUnwrap(try load(cache: cache).cacheEntry)
        let weights = entry.folder + "/model.safetensors"
        // Cut short: the manifest's sizes no longer match.
        let handle = try XCTUnwrap(FileHandle(forWritingAtPath: weights))
        try handle.truncate(atOffset: 100)
        try handle.close()
        let afterTruncation = try load(cache: cache)
        XCTAssertTrue(afterTruncation.cacheBuilt)
        let good = try logits(afterTruncation.model)

        // Same size, garbage header: the load fails and the entry is made again.
        var bytes = try Data(contentsOf: URL(fileURLWithPath: weights))
        bytes.replaceSubrange(8..<40, with: Data(repeating: 0x7B, count: 32))
        try bytes.write(to: URL(fileURLWithPath: weights))
        let afterGarbage = try load(cache: cache)
        XCTAssertTrue(afterGarbage.cacheBuilt)
        XCTAssertEqual(try logits(afterGarbage.model), good)
        XCTAssertFalse(try FileManager.default.contentsOfDirectory(atPath: cache.root).contains { $0.hasPrefix(".building") },
                       "no half-built folder is left behind")
    }

    func testWithoutACacheNothingIsWrittenAndAnUnwritableCacheFallsBack() throws {
        _ = try load(cache: nil)
        XCTAssertFalse(FileManager.default.fileExists(atPath: cache.root))

        let blocked = try TestFolders.temporary(for: self) + "/file"
        try Data("not a folder".utf8).write(to: URL(fileURLWithPath: blocked))
        let fallback = try load(cache: QuantizedModelCache(root: blocked + "/models"))
        XCTAssertNil(fallback.cacheEntry)
        XCTAssertGreaterThan(fallback.model.quantizedBytes, 0, "quantized in memory instead")
        guard case .quantizedCacheUnavailable? = fallback.warnings.first else { return XCTFail("\(fallback.warnings)") }
    }

    func testListAndRemove() throws {
        let entry = try XCTUnwrap(try load(cache: cache).cacheEntry)
        XCTAssertThrowsError(try cache.remove("nothere")) { error in
            XCTAssertEqual("\(error)", "no cached model \"nothere\"; cached: \(entry.name)")
        }
        XCTAssertThrowsError(try cache.remove("../tiny-lite"))
        try cache.remove(entry.name)
        XCTAssertEqual(cache.list(), [])
        _ = try load(cache: cache)
        _ = try load(.q4, cache: cache)
        XCTAssertEqual(try cache.removeAll(), 2)
        XCTAssertEqual(cache.list(), [])
    }

    /// One size everywhere: the weight files' sizes, symbolic links followed (the Hugging Face cache
    /// links snapshot files to blobs).
    func testModelSizeFollowsSymbolicLinks() throws {
        let linked = try TestFolders.temporary(for: self) + "/snapshot"
        try FileManager.default.createDirectory(atPath: linked, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: linked + "/model.safetensors", withDestinationPath: source + "/model.safetensors")
        try FileManager.default.copyItem(atPath: source + "/config.json", toPath: linked + "/config.json")
        let size = try XCTUnwrap(FileManager.default.attributesOfItem(atPath: source + "/model.safetensors")[.size] as? Int)
        XCTAssertEqual(ModelSize.weightBytes(folder: linked), size)
        XCTAssertEqual(ModelSize.weightBytes(folder: source), size)
    }
}
