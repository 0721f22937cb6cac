import XCTest
@testable import SeekEngine

/// The engine against the oracle: logits and greedy generations from Hugging Face transformers' own
/// DeepSeek implementation (float32) on each fixture in ../shared/fixtures.
final class ReferenceLogitsTests: XCTestCase {
    static let tolerance: Float = 1e-4

    func testTinyLite() throws { try checkFixture("tiny-lite") }
    func testTinyV2() throws { try checkFixture("tiny-v2") }
    func testTinyV3() throws { try checkFixture("tiny-v3") }
    func testTinyChat() throws { try checkFixture("tiny-chat") }

    /// Every deepseek_v2/v3 fixture that exists must be one the tests above check.
    func testEveryFixtureIsCovered() {
        let found = SharedData.fixtures(modelTypes: ["deepseek_v2", "deepseek_v3"])
        XCTAssertFalse(found.isEmpty, "no fixtures found under \(SharedData.root.path)/fixtures")
        for name in found {
            XCTAssertTrue(["tiny-lite", "tiny-v2", "tiny-v3", "tiny-chat"].contains(name), "fixture \(name) is not tested")
        }
    }

    private func checkFixture(_ name: String) throws {
        let folder = try SharedData.fixture(name)
        let reference = try SafeTensorsFile(path: folder + "/reference.safetensors")
        func tensor(_ key: String) throws -> TensorView {
            guard let t = reference.tensors[key] else { throw TestDataError("\(name): reference has no \(key)") }
            return t
        }
        var options = LoadOptions()
        options.contextSize = 512
        let model = try DeepSeekModel.load(folder: folder, options: options)
        let vocab = model.config.vocabSize

        // 1. Logits at every position of each prompt, one batched prefill.
        for prompt in ["prompt0", "prompt1", "prompt2"] {
            let ids = try tensor("\(prompt).ids").integers()
            let expected = try tensor("\(prompt).logits").floats()
            model.resetCache()
            let logits = try model.forward(ids, allLogits: true)
            let err = maxAbsDifference(logits, expected)
            print("\(name) \(prompt): max |Δlogit| = \(err)")
            XCTAssertLessThan(err, Self.tolerance, "\(name) \(prompt)")
        }

        // 2. A prompt past original_max_position_embeddings (YaRN territory): last position.
        let longIds = try tensor("long.ids").integers()
        model.resetCache()
        let longLogits = try model.forward(longIds)
        let longErr = maxAbsDifference(longLogits, try tensor("long.last_logits").floats())
        print("\(name) long: max |Δlogit| = \(longErr)")
        XCTAssertLessThan(longErr, Self.tolerance, "\(name) long")

        // 3. Greedy decoding one token at a time through the latent cache.
        let prompt = try tensor("greedy.prompt_ids").integers()
        let expectedIds = try tensor("greedy.ids").integers()
        model.resetCache()
        var logits = try model.forward(prompt)
        var generated: [Int] = []
        for _ in 0..<expectedIds.count {
            let next = Sampler.argmax(logits[...])
            generated.append(next)
            logits = try model.forward([next])
        }
        XCTAssertEqual(generated, expectedIds, "\(name) greedy")

        // 4. Token-by-token through the cache equals the batched prefill.
        let ids = try tensor("prompt2.ids").integers()
        model.resetCache()
        let batched = try model.forward(ids, allLogits: true)
        model.resetCache()
        var incremental: [Float] = []
        for id in ids { incremental += try model.forward([id]) }
        let incErr = maxAbsDifference(incremental, batched)
        print("\(name) incremental vs batched: max |Δlogit| = \(incErr)")
        XCTAssertLessThan(incErr, 1e-4, "\(name) incremental vs batched")
        XCTAssertEqual(batched.count, ids.count * vocab)

        // 5. Decoding deep into the context (the one-token attention kernels split over many cache rows
        //    and latent strips) equals the batched prefill of the same tokens.
        let more = Array(longIds.prefix(6))
        model.resetCache()
        let extended = try model.forward(longIds + more, allLogits: true)
        model.resetCache()
        _ = try model.forward(longIds)
        var decoded: [Float] = []
        for id in more { decoded += try model.forward([id]) }
        let deepErr = maxAbsDifference(decoded, Array(extended.suffix(more.count * vocab)))
        print("\(name) decode at \(longIds.count) tokens vs batched: max |Δlogit| = \(deepErr)")
        XCTAssertLessThan(deepErr, 1e-4, "\(name) decode deep in the context")
    }
}
