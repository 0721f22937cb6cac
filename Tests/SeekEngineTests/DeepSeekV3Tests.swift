import Foundation
import XCTest
@testable import SeekEngine

/// DeepSeek-V3-family specifics beyond the shared fixture checks.
final class DeepSeekV3Tests: XCTestCase {
    func testConfigNamesFamilyAndRouting() throws {
        let v3 = try DeepSeekModel.load(folder: try SharedData.fixture("tiny-v3"))
        XCTAssertEqual(v3.config.modelType, "deepseek_v3")
        XCTAssertEqual(v3.config.topkMethod, .noAuxTC)
        XCTAssertEqual(v3.config.scoringFunc, .sigmoid)
        let lite = try DeepSeekModel.load(folder: try SharedData.fixture("tiny-lite"))
        XCTAssertEqual(lite.config.topkMethod, .greedy)
        XCTAssertEqual(lite.config.scoringFunc, .softmax)
        XCTAssertEqual(lite.config.numExpertsPerTok, 2)
        XCTAssertEqual(lite.config.nRoutedExperts, 8)
    }

    /// A checkpoint with a multi-token-prediction layer after the main layers (as DeepSeek-V3 ships it)
    /// loads with that layer skipped and gives exactly the same logits.
    func testMultiTokenPredictionLayerIsSkipped() throws {
        let source = try SharedData.fixture("tiny-v3")
        let dir = NSTemporaryDirectory() + "seek-mtp-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }

        let data = try Data(contentsOf: URL(fileURLWithPath: source + "/config.json"))
        var config = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        config["num_nextn_predict_layers"] = 1
        try JSONSerialization.data(withJSONObject: config).write(to: URL(fileURLWithPath: dir + "/config.json"))

        // The MTP layer: a copy of the last layer plus its own projection, norms and head, as layer 4.
        let original = try SafeTensorsFile(path: source + "/model.safetensors")
        var writer = SafeTensorsWriter()
        for (name, t) in original.tensors {
            let bytes = Data(bytes: t.data, count: t.byteCount)
            writer.add(name, dtype: t.dtype, shape: t.shape, bytes: bytes)
            if name.hasPrefix("model.layers.3.") {
                writer.add(name.replacingOccurrences(of: "model.layers.3.", with: "model.layers.4."), dtype: t.dtype, shape: t.shape, bytes: bytes)
            }
        }
        writer.add("model.layers.4.eh_proj.weight", floats: [Float](repeating: 0.5, count: 64 * 128), shape: [64, 128])
        writer.add("model.layers.4.enorm.weight", floats: [Float](repeating: 1, count: 64), shape: [64])
        writer.add("model.layers.4.hnorm.weight", floats: [Float](repeating: 1, count: 64), shape: [64])
        try writer.write(to: dir + "/model.safetensors")

        let withMTP = try DeepSeekModel.load(folder: dir)
        XCTAssertEqual(withMTP.config.numNextNPredictLayers, 1)
        let plain = try DeepSeekModel.load(folder: source)
        let ids = [0, 5, 9, 77, 300]
        XCTAssertEqual(try withMTP.forward(ids, allLogits: true), try plain.forward(ids, allLogits: true))
    }
}
