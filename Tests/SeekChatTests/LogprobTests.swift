import Foundation
import SeekChat
import SeekEngine
import XCTest

/// `--logprobs`: each generated token's log-probability and the top alternatives', from the
/// distribution the sampler drew from, checked against transformers' logits for tiny-chat.
final class LogprobTests: XCTestCase {
    private struct Oracle {
        let ids: [Int]
        /// transformers' next-token logits after `ids`.
        let logits: [Float]
    }

    private func oracle() throws -> Oracle {
        let file = try SafeTensorsFile(path: TestFolders.fixture("tiny-chat") + "/reference.safetensors")
        let ids = try XCTUnwrap(file.tensors["prompt1.ids"]).integers()
        let all = try XCTUnwrap(file.tensors["prompt1.logits"]).floats()
        return Oracle(ids: ids, logits: Array(all.suffix(all.count / ids.count)))
    }

    private func firstToken(temperature: Float, topK: Int, logprobs: Int) throws -> LogprobRecorder.Entry {
        var options = LoadOptions()
        options.contextSize = 64
        let folder = TestFolders.fixture("tiny-chat")
        let model = try DeepSeekModel.load(folder: folder, options: options)
        let generation = TextGeneration(generator: Generator(model: model, stopTokenIds: []), tokenizer: try ChatFixture.tokenizer())
        var settings = SamplingSettings()
        settings.parameters.temperature = temperature
        settings.parameters.topK = topK
        settings.parameters.topP = 1
        settings.parameters.minP = 0
        settings.parameters.seed = 5
        settings.maxTokens = 1
        var sampler = Sampler(settings.parameters)
        let completion = try generation.complete(promptIds: try oracle().ids, settings: settings, sampler: &sampler, logprobs: logprobs) { _ in }
        XCTAssertNil(sampler.recorder, "the sampler is left as it was")
        let entries = try XCTUnwrap(completion.logprobs)
        XCTAssertEqual(entries.map(\.id), completion.tokens)
        return try XCTUnwrap(entries.first)
    }

    func testGreedyLogprobsAreTheLogSoftmaxOfTheLogits() throws {
        let reference = try oracle()
        let largest = reference.logits.max()!
        let normalizer = Double(largest) + log(reference.logits.reduce(0.0) { $0 + exp(Double($1 - largest)) })
        let expected = reference.logits.indices.sorted { reference.logits[$0] > reference.logits[$1] }.prefix(5)
            .map { (id: $0, logprob: Float(Double(reference.logits[$0]) - normalizer)) }

        let entry = try firstToken(temperature: 0, topK: 40, logprobs: 5)
        XCTAssertEqual(entry.id, expected[0].id, "greedy picks the most likely token")
        XCTAssertEqual(entry.logprob, expected[0].logprob, accuracy: 1e-4)
        XCTAssertEqual(entry.top.map(\.id), expected.map(\.id))
        for (got, want) in zip(entry.top, expected) { XCTAssertEqual(got.logprob, want.logprob, accuracy: 1e-4) }
    }

    func testSampledLogprobsComeFromTheTemperedTopKDistribution() throws {
        let reference = try oracle()
        let temperature: Float = 0.7
        let kept = reference.logits.indices.sorted { reference.logits[$0] > reference.logits[$1] }.prefix(3)
        let weights = kept.map { exp(Double(reference.logits[$0] - reference.logits[kept.first!]) / Double(temperature)) }
        let total = weights.reduce(0, +)
        let expected = Dictionary(uniqueKeysWithValues: zip(kept, weights.map { Float(log($0 / total)) }))

        let entry = try firstToken(temperature: temperature, topK: 3, logprobs: 10)
        XCTAssertEqual(entry.top.count, 3, "only the top-k candidates can be drawn")
        XCTAssertEqual(entry.top.map(\.id), Array(kept))
        for alternative in entry.top { XCTAssertEqual(alternative.logprob, expected[alternative.id]!, accuracy: 1e-4) }
        XCTAssertEqual(entry.logprob, try XCTUnwrap(expected[entry.id]), accuracy: 1e-4)
        XCTAssertEqual(entry.top.reduce(0.0) { $0 + exp(Double($1.logprob)) }, 1, accuracy: 1e-5)
    }
}
