import Foundation
import XCTest
@testable import SeekEngine

/// Parsing and every validation error of the safetensors loader and weight binding.
final class SafeTensorsTests: XCTestCase {
    var dir: String!

    override func setUpWithError() throws {
        dir = NSTemporaryDirectory() + "seek-st-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: dir) }

    private func write(_ bytes: Data, _ name: String = "model.safetensors") -> String {
        let path = dir + "/" + name
        _ = FileManager.default.createFile(atPath: path, contents: bytes)
        return path
    }

    /// A raw file from a header dictionary and a data block.
    private func rawFile(header: [String: Any], data: Data) throws -> Data {
        let json = try JSONSerialization.data(withJSONObject: header)
        var out = Data()
        var n = UInt64(json.count).littleEndian
        withUnsafeBytes(of: &n) { out.append(contentsOf: $0) }
        out.append(json)
        out.append(data)
        return out
    }

    private func expectError(_ path: String, contains fragments: [String], line: UInt = #line) {
        XCTAssertThrowsError(try SafeTensorsFile(path: path), line: line) { error in
            let message = "\(error)"
            for f in fragments { XCTAssertTrue(message.contains(f), "'\(message)' should contain '\(f)'", line: line) }
            XCTAssertFalse(message.contains("\n"), "one line", line: line)
        }
    }

    func testRoundTripThroughWriter() throws {
        var w = SafeTensorsWriter()
        w.add("a", floats: [1, 2, 3, 4, 5, 6], shape: [2, 3])
        w.add("ids", dtype: .i32, shape: [2], bytes: [Int32(7), Int32(-1)].withUnsafeBytes { Data($0) })
        let bf16: [UInt16] = [0x3F80, 0xC000] // 1.0, -2.0
        w.add("b", dtype: .bf16, shape: [2], bytes: bf16.withUnsafeBytes { Data($0) })
        let f16: [UInt16] = [0x3C00, 0x4200] // 1.0, 3.0
        w.add("h", dtype: .f16, shape: [2], bytes: f16.withUnsafeBytes { Data($0) })
        let file = try SafeTensorsFile(path: write(try w.serialized()))
        XCTAssertEqual(file.tensors["a"]?.shape, [2, 3])
        XCTAssertEqual(try file.tensors["a"]?.floats(), [1, 2, 3, 4, 5, 6])
        XCTAssertEqual(try file.tensors["ids"]?.integers(), [7, -1])
        XCTAssertEqual(try file.tensors["b"]?.floats(), [1, -2])
        XCTAssertEqual(try file.tensors["h"]?.floats(), [1, 3])
        XCTAssertEqual(file.metadata["format"], "pt")
    }

    func testTooShortFile() {
        expectError(write(Data([1, 2, 3])), contains: ["model.safetensors", "too short"])
    }

    func testHeaderLengthLargerThanFile() {
        var bytes = Data()
        var n = UInt64(1_000_000).littleEndian
        withUnsafeBytes(of: &n) { bytes.append(contentsOf: $0) }
        bytes.append(contentsOf: Array("{}".utf8))
        expectError(write(bytes), contains: ["model.safetensors", "header length 1000000", "truncated"])
    }

    func testHeaderNotJSON() {
        var bytes = Data()
        var n = UInt64(4).littleEndian
        withUnsafeBytes(of: &n) { bytes.append(contentsOf: $0) }
        bytes.append(contentsOf: Array("nope".utf8))
        expectError(write(bytes), contains: ["not a JSON object"])
    }

    func testOffsetsOutOfRange() throws {
        let header: [String: Any] = ["w": ["dtype": "F32", "shape": [4], "data_offsets": [0, 16]]]
        expectError(write(try rawFile(header: header, data: Data(count: 8))), contains: ["'w'", "outside the data block"])
    }

    func testSpanDisagreesWithShape() throws {
        let header: [String: Any] = ["w": ["dtype": "BF16", "shape": [2, 3], "data_offsets": [0, 8]]]
        expectError(write(try rawFile(header: header, data: Data(count: 8))), contains: ["'w'", "spans 8 bytes", "needs 12"])
    }

    func testAbsurdShapeAndHeaderLengthDoNotTrap() throws {
        let header: [String: Any] = ["w": ["dtype": "F32", "shape": [1 << 40, 1 << 40], "data_offsets": [0, 8]]]
        expectError(write(try rawFile(header: header, data: Data(count: 8))), contains: ["'w'", "impossibly large"])
        var bytes = Data(repeating: 0xff, count: 8)   // header length 2^64 - 1
        bytes.append(contentsOf: Array("{}".utf8))
        expectError(write(bytes), contains: ["header length 18446744073709551615"])
    }

    func testUnknownDType() throws {
        let header: [String: Any] = ["w": ["dtype": "F8_E4M3", "shape": [2], "data_offsets": [0, 2]]]
        expectError(write(try rawFile(header: header, data: Data(count: 2))), contains: ["'w'", "unsupported dtype F8_E4M3"])
    }

    func testOverlappingTensors() throws {
        let header: [String: Any] = [
            "a": ["dtype": "F32", "shape": [2], "data_offsets": [0, 8]],
            "b": ["dtype": "F32", "shape": [2], "data_offsets": [4, 12]],
        ]
        expectError(write(try rawFile(header: header, data: Data(count: 12))), contains: ["overlap"])
    }

    func testMissingFile() {
        expectError(dir + "/absent.safetensors", contains: ["absent.safetensors", "cannot open"])
    }

    // MARK: binding a model folder

    /// Copies tiny-lite's config and rewrites its weights through `edit`.
    private func tinyLiteCopy(edit: (inout [String: TensorView]) -> Void) throws -> String {
        let source = try SharedData.fixture("tiny-lite")
        try FileManager.default.copyItem(atPath: source + "/config.json", toPath: dir + "/config.json")
        let original = try SafeTensorsFile(path: source + "/model.safetensors")
        var tensors = original.tensors
        edit(&tensors)
        var w = SafeTensorsWriter()
        for (name, t) in tensors {
            w.add(name, dtype: t.dtype, shape: t.shape, bytes: Data(bytes: t.data, count: t.byteCount))
        }
        _ = write(try w.serialized())
        return dir
    }

    func testMissingTensorIsNamed() throws {
        let folder = try tinyLiteCopy { $0["model.layers.1.self_attn.kv_b_proj.weight"] = nil }
        XCTAssertThrowsError(try DeepSeekModel.load(folder: folder)) { error in
            XCTAssertTrue("\(error)".contains("'model.layers.1.self_attn.kv_b_proj.weight' is missing"), "\(error)")
        }
    }

    func testShapeDisagreeingWithConfigIsNamed() throws {
        let folder = try tinyLiteCopy { tensors in
            let t = tensors["model.layers.0.self_attn.o_proj.weight"]!
            tensors[t.name] = TensorView(name: t.name, dtype: t.dtype, shape: [32, 128], data: t.data,
                                         byteCount: t.byteCount, file: t.file)
        }
        XCTAssertThrowsError(try DeepSeekModel.load(folder: folder)) { error in
            let m = "\(error)"
            XCTAssertTrue(m.contains("o_proj.weight") && m.contains("[32, 128]") && m.contains("[64, 64]"), m)
        }
    }

    func testShardNamedInIndexButAbsent() throws {
        let source = try SharedData.fixture("tiny-v2")
        for f in ["config.json", "model.safetensors.index.json", "model-00001-of-00002.safetensors"] {
            try FileManager.default.copyItem(atPath: "\(source)/\(f)", toPath: "\(dir!)/\(f)")
        }
        XCTAssertThrowsError(try DeepSeekModel.load(folder: dir)) { error in
            let m = "\(error)"
            XCTAssertTrue(m.contains("model-00002-of-00002.safetensors") && m.contains("missing"), m)
        }
    }

    func testFolderWithoutConfig() {
        XCTAssertThrowsError(try DeepSeekModel.load(folder: dir)) { error in
            XCTAssertTrue("\(error)".contains("no config.json"), "\(error)")
        }
        XCTAssertThrowsError(try DeepSeekModel.load(folder: dir + "/nope")) { error in
            // The one folder check (ModelFolder) names the folder and says it is not there.
            XCTAssertEqual(error as? ModelFolderError, ModelFolderError(folder: dir + "/nope", problem: .noSuchFolder))
            XCTAssertTrue("\(error)".contains("no such folder"), "\(error)")
        }
    }

    func testFolderWithoutWeights() throws {
        try FileManager.default.copyItem(atPath: try SharedData.fixture("tiny-lite") + "/config.json", toPath: dir + "/config.json")
        XCTAssertThrowsError(try DeepSeekModel.load(folder: dir)) { error in
            XCTAssertTrue("\(error)".contains("no *.safetensors"), "\(error)")
        }
    }

    /// Without an index or model.safetensors, the weights are the model*.safetensors files; any other
    /// safetensors file in the folder (a reference, an adapter) is not read, whatever it holds.
    func testStraySafetensorsFilesAreNotWeights() throws {
        let source = try SharedData.fixture("tiny-lite")
        try FileManager.default.copyItem(atPath: source + "/config.json", toPath: dir + "/config.json")
        try FileManager.default.copyItem(atPath: source + "/model.safetensors", toPath: dir + "/model-00001-of-00001.safetensors")
        var stray = SafeTensorsWriter()
        stray.add("model.norm.weight", floats: [1, 2], shape: [2])  // clashes with a real tensor's name and shape
        _ = write(try stray.serialized(), "adapter.safetensors")
        XCTAssertEqual(ModelFolder(path: dir).weightFileNames, ["model-00001-of-00001.safetensors"])
        let model = try DeepSeekModel.load(folder: dir)
        XCTAssertEqual(model.weightBytes, try TensorStore(folder: source).byteCount)
    }

    func testTruncatedWeightsFile() throws {
        let source = try SharedData.fixture("tiny-lite")
        try FileManager.default.copyItem(atPath: source + "/config.json", toPath: dir + "/config.json")
        let bytes = try Data(contentsOf: URL(fileURLWithPath: source + "/model.safetensors"))
        _ = write(bytes.prefix(bytes.count / 2))
        XCTAssertThrowsError(try DeepSeekModel.load(folder: dir)) { error in
            XCTAssertTrue("\(error)".contains("model.safetensors") && "\(error)".contains("outside the data block"), "\(error)")
        }
    }
}
