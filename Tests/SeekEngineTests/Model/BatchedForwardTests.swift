import XCTest
@testable import SeekEngine

/// Several sequences decoding together in one forward pass (continuous batching) give the logits each
/// would get alone through the single-sequence API.
final class BatchedForwardTests: XCTestCase {
    func testTinyLite() throws { try checkBatching("tiny-lite") }
    func testTinyV2() throws { try checkBatching("tiny-v2") }
    func testTinyV3() throws { try checkBatching("tiny-v3") }

    /// Three sequences of different lengths: two prefill together, then decode while the third joins
    /// with a prefill chunk, then it decodes with them. Run once with room for every step in one pass and
    /// once with passes of 5 tokens (steps split across passes).
    private func checkBatching(_ name: String) throws {
        let folder = try SharedData.fixture(name)
        let reference = try SafeTensorsFile(path: folder + "/reference.safetensors")
        let long = try XCTUnwrap(reference.tensors["long.ids"]).integers()
        let texts = [Array(long[0..<30]), Array(long[100..<112]), Array(long[200..<221])]
        // (sequence, tokens in this step, all logits?) for each forward pass
        let schedule: [[(Int, Int, Bool)]] = [
            [(0, 23, true), (1, 7, false)],
            [(0, 1, false), (1, 1, false), (2, 13, true)],
            [(1, 1, false), (0, 1, false), (2, 1, false)],
            [(2, 4, true), (0, 1, false), (1, 1, false)],
            [(0, 4, true), (2, 3, false), (1, 2, true)],
        ]

        for batchSize in [512, 5] {
            var options = LoadOptions()
            options.contextSize = 64
            options.batchSize = batchSize
            let model = try DeepSeekModel.load(folder: folder, options: options)
            let vocab = model.vocabularySize

            // Alone: each sequence's logits at every position, from the single-sequence API.
            let alone = try texts.map { text -> [Float] in
                model.resetCache()
                return try model.forward(text, allLogits: true)
            }

            let ids = try texts.map { _ in try model.makeSequence() }
            var done = [0, 0, 0]
            for (p, pass) in schedule.enumerated() {
                let steps = pass.map { s, count, all in
                    SequenceStep(sequence: ids[s], tokens: Array(texts[s][done[s]..<(done[s] + count)]), allLogits: all)
                }
                let results = try model.forward(steps)
                XCTAssertEqual(results.count, steps.count)
                for ((s, count, all), logits) in zip(pass, results) {
                    let first = all ? done[s] : done[s] + count - 1
                    let expected = Array(alone[s][(first * vocab)..<((done[s] + count) * vocab)])
                    let err = maxAbsDifference(logits, expected)
                    XCTAssertLessThan(err, 1e-4, "\(name) batch \(batchSize) pass \(p) sequence \(s)")
                    done[s] += count
                    XCTAssertEqual(model.cachedTokens(of: ids[s]), done[s])
                }
            }
            // The default sequence was left alone by the batch.
            XCTAssertEqual(model.cachedTokens, texts[2].count)
        }
    }

    func testQuantizedDecodeTinyLite() throws { try checkQuantizedDecode("tiny-lite") }
    func testQuantizedDecodeTinyV3() throws { try checkQuantizedDecode("tiny-v3") }

    /// q8 and q4 weights (quantized at load): a step decoding three sequences together gives each the
    /// logits it gets decoding alone, so the several-token kernels (and the attention's shared query
    /// absorption) reproduce the one-token path.
    private func checkQuantizedDecode(_ name: String) throws {
        let folder = try SharedData.fixture(name)
        let reference = try SafeTensorsFile(path: folder + "/reference.safetensors")
        let long = try XCTUnwrap(reference.tensors["long.ids"]).integers()
        let starts = [0, 100, 200], promptLengths = [9, 5, 12], steps = 4
        for format in QuantFormat.allCases {
            var options = LoadOptions()
            options.contextSize = 64
            options.quantization = format
            let model = try DeepSeekModel.load(folder: folder, options: options)
            let together = try starts.map { _ in try model.makeSequence() }
            let alone = try starts.map { _ in try model.makeSequence() }
            for s in starts.indices {
                let prompt = Array(long[starts[s]..<(starts[s] + promptLengths[s])])
                _ = try model.forward([SequenceStep(sequence: together[s], tokens: prompt)])
                _ = try model.forward([SequenceStep(sequence: alone[s], tokens: prompt)])
            }
            for i in 0..<steps {
                let tokens = starts.indices.map { long[starts[$0] + promptLengths[$0] + i] }
                let batched = try model.forward(starts.indices.map { SequenceStep(sequence: together[$0], tokens: [tokens[$0]]) })
                for s in starts.indices {
                    let single = try model.forward([SequenceStep(sequence: alone[s], tokens: [tokens[s]])])[0]
                    XCTAssertLessThan(maxAbsDifference(batched[s], single), 1e-4, "\(name) \(format) step \(i) sequence \(s)")
                }
            }
        }
    }

    func testSequencesAreCheckedBeforeAnythingRuns() throws {
        var options = LoadOptions()
        options.contextSize = 16
        let model = try DeepSeekModel.load(folder: try SharedData.fixture("tiny-lite"), options: options)
        let a = try model.makeSequence(), b = try model.makeSequence()
        XCTAssertNotEqual(a, b)
        _ = try model.forward([SequenceStep(sequence: a, tokens: [1, 2, 3])])
        XCTAssertThrowsError(try model.forward([SequenceStep(sequence: a, tokens: [4]), SequenceStep(sequence: a, tokens: [5])]))
        XCTAssertThrowsError(try model.forward([SequenceStep(sequence: b, tokens: [4]),
                                                SequenceStep(sequence: a, tokens: Array(repeating: 1, count: 14))]))
        XCTAssertThrowsError(try model.forward([SequenceStep(sequence: b, tokens: [])]))
        XCTAssertEqual(model.cachedTokens(of: a), 3, "a failed pass leaves every cache as it was")
        XCTAssertEqual(model.cachedTokens(of: b), 0)
        model.releaseSequence(b)
        XCTAssertThrowsError(try model.forward([SequenceStep(sequence: b, tokens: [4])]))
        model.truncate(a, to: 1)
        XCTAssertEqual(model.cachedTokens(of: a), 1)
    }
}

final class BatchedBenchmarkTests: XCTestCase {
    func testBatchedDecodeBenchmarkRunsAndReleasesItsSequences() throws {
        var options = LoadOptions()
        options.contextSize = 64
        let model = try DeepSeekModel.load(folder: try SharedData.fixture("tiny-v3"), options: options)
        let result = try Benchmark.runBatched(model: model, sequences: 3, promptTokens: 5, generateTokens: 4)
        XCTAssertEqual(result.sequences, 3)
        XCTAssertEqual(result.steps, 4)
        XCTAssertGreaterThan(result.aggregateTokensPerSecond, result.perSequenceTokensPerSecond)
        // Its sequences are gone: the next one made is fresh and empty.
        XCTAssertEqual(model.cachedTokens(of: try model.makeSequence()), 0)
        XCTAssertEqual(model.cachedTokens(of: SequenceID(1)), 0)
    }
}
