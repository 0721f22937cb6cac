import XCTest
@testable import SeekEngine

/// Decode attention cut into chunks of cache rows that the workers claim (LatentDecodeAttention.swift):
/// each chunk keeps its own online-softmax state and the states merge in chunk order. With chunks of 16
/// rows, three threads cut a 100-token context into 6 chunks; one thread takes the whole context in one
/// call. Both must give the same next-token logits (up to the float sums' order), every step.
final class DecodeChunkMergeTests: XCTestCase {
    override func tearDown() { Workspace.decodeChunkRows = 512 }

    private func decodeLogits(_ fixture: String, threads: Int, prompt: [Int], steps: [Int]) throws -> [[Float]] {
        var options = LoadOptions()
        options.contextSize = 256
        options.threads = threads
        let model = try DeepSeekModel.load(folder: try SharedData.fixture(fixture), options: options)
        var out = [try model.forward(prompt)]
        for token in steps { out.append(try model.forward([token])) }
        return out
    }

    func testChunkedDecodeEqualsOneCall() throws {
        Workspace.decodeChunkRows = 16
        var random = KernelTestRandom(seed: 21)
        for fixture in ["tiny-lite", "tiny-v3"] {
            let vocab = 512
            let prompt = (0..<100).map { _ in Int(random.next() % UInt64(vocab)) }
            let steps = (0..<12).map { _ in Int(random.next() % UInt64(vocab)) }
            let one = try decodeLogits(fixture, threads: 1, prompt: prompt, steps: steps)
            let three = try decodeLogits(fixture, threads: 3, prompt: prompt, steps: steps)
            XCTAssertEqual(one.count, three.count)
            for (step, (a, b)) in zip(one, three).enumerated() {
                XCTAssertEqual(a.count, b.count)
                let worst = zip(a, b).map { abs($0 - $1) }.max() ?? 0
                XCTAssertLessThan(worst, 1e-4, "\(fixture) step \(step): max |Δlogit| \(worst)")
            }
        }
    }

    /// A short prompt after a long context (a chat's next turn) attends per query token: fewer than
    /// MultiHeadLatentAttention.tokensSharedFrom tokens one at a time, each over chunks of the cache; more
    /// share the workers token by token. Either way every token must see exactly its own prefix: the
    /// logits of each position equal those of feeding the tokens one at a time.
    func testShortPromptAfterLongContextEqualsTokenByToken() throws {
        Workspace.decodeChunkRows = 16
        ExpandedPrefill.forced = false
        defer { ExpandedPrefill.forced = nil }
        var random = KernelTestRandom(seed: 23)
        for fixture in ["tiny-lite", "tiny-v3"] {
            var options = LoadOptions()
            options.contextSize = 256
            options.threads = 3
            let model = try DeepSeekModel.load(folder: try SharedData.fixture(fixture), options: options)
            let vocab = model.config.vocabSize
            let prompt = (0..<100).map { _ in Int(random.next() % UInt64(vocab)) }
            for count in [5, MultiHeadLatentAttention.tokensSharedFrom + 4] {
                let turn = (0..<count).map { _ in Int(random.next() % UInt64(vocab)) }
                model.resetCache()
                _ = try model.forward(prompt)
                let together = try model.forward(turn, allLogits: true)
                model.resetCache()
                _ = try model.forward(prompt)
                var apart: [Float] = []
                for token in turn { apart += try model.forward([token]) }
                XCTAssertEqual(together.count, apart.count)
                let worst = zip(together, apart).map { abs($0 - $1) }.max() ?? .infinity
                XCTAssertLessThan(worst, 1e-4, "\(fixture), \(count) tokens after 100: max |Δlogit| \(worst)")
            }
        }
    }
}
