import Foundation
import XCTest
@testable import SeekEngine

/// The bundled model (Models/seek-mini) against what Hugging Face transformers computes for the same folder
/// (float32 on the stored bf16 weights), recorded once by Scripts/bundled/make_reference.py as
/// Tests/Data/seek-mini-reference.safetensors.
final class BundledModelTests: XCTestCase {
    static let tolerance: Float = 1e-3
    static let modelFolder = SharedData.packageRoot.appendingPathComponent("Models/seek-mini").path
    static let referenceFile = SharedData.packageRoot.appendingPathComponent("Tests/Data/seek-mini-reference.safetensors").path

    /// Loads the bundled model and its reference data; a missing file fails the test loudly.
    private func loadModelAndReference() throws -> (DeepSeekModel, SafeTensorsFile) {
        for path in [Self.modelFolder + "/config.json", Self.modelFolder + "/model.safetensors", Self.referenceFile]
        where !FileManager.default.fileExists(atPath: path) {
            XCTFail("bundled model data missing: \(path)")
            throw TestDataError("missing \(path)")
        }
        var options = LoadOptions()
        options.contextSize = 256
        return (try DeepSeekModel.load(folder: Self.modelFolder, options: options),
                try SafeTensorsFile(path: Self.referenceFile))
    }

    private func tensor(_ file: SafeTensorsFile, _ key: String) throws -> TensorView {
        guard let t = file.tensors[key] else { throw TestDataError("seek-mini reference has no \(key)") }
        return t
    }

    func testConfigDescribesASmallDeepSeekV2Model() throws {
        let (model, _) = try loadModelAndReference()
        XCTAssertEqual(model.config.modelType, "deepseek_v2")
        XCTAssertEqual(model.config.vocabSize, 4096)
        XCTAssertEqual(model.config.bosTokenId, 0)
        XCTAssertEqual(model.config.eosTokenIds, [1])
        let bytes = try FileManager.default.attributesOfItem(atPath: Self.modelFolder + "/model.safetensors")[.size] as? Int ?? 0
        XCTAssertLessThanOrEqual(bytes, 20_000_000, "the bundled weights must stay small")
    }

    /// Logits at every position of a held-out passage, in one batched prefill.
    func testHeldOutLogitsMatchTransformers() throws {
        let (model, reference) = try loadModelAndReference()
        let ids = try tensor(reference, "heldout.ids").integers()
        let expected = try tensor(reference, "heldout.logits").floats()
        let logits = try model.forward(ids, allLogits: true)
        XCTAssertEqual(logits.count, ids.count * model.config.vocabSize)
        guard logits.count == expected.count else { return }
        let err = maxAbsDifference(logits, expected)
        print("seek-mini held-out: max |Δlogit| = \(err) over \(ids.count) positions")
        XCTAssertLessThan(err, Self.tolerance)
    }

    /// Greedy decoding one token at a time through the latent cache gives transformers' continuation.
    func testGreedyContinuationMatchesTransformers() throws {
        let (model, reference) = try loadModelAndReference()
        let prompt = try tensor(reference, "greedy.prompt_ids").integers()
        let expected = try tensor(reference, "greedy.ids").integers()
        var logits = try model.forward(prompt)
        var generated: [Int] = []
        for _ in 0..<expected.count {
            let next = Sampler.argmax(logits[...])
            generated.append(next)
            logits = try model.forward([next])
        }
        XCTAssertEqual(generated, expected)
    }
}
