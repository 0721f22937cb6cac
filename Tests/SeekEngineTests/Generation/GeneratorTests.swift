import XCTest
@testable import SeekEngine

/// A predictor whose next token is always (last token + 1) % vocab, so outputs are predictable; it
/// records what it was asked to compute.
private final class CountingPredictor: TokenPredictor {
    let vocab = 10
    let contextSize: Int
    private(set) var cache: [Int] = []
    private(set) var forwarded: [[Int]] = []

    init(contextSize: Int = 64) { self.contextSize = contextSize }

    var cachedTokens: Int { cache.count }
    func truncateCache(to length: Int) { cache.removeSubrange(min(length, cache.count)...) }
    func removeCachedTokens(in range: Range<Int>) { cache.removeSubrange(range.clamped(to: 0..<cache.count)) }

    func forward(_ tokens: [Int], allLogits: Bool) throws -> [Float] {
        guard cache.count + tokens.count <= contextSize else { throw ContextError.full(cached: cache.count, adding: tokens.count, capacity: contextSize) }
        forwarded.append(tokens)
        cache += tokens
        var logits = [Float](repeating: 0, count: vocab)
        logits[(tokens.last! + 1) % vocab] = 10
        return logits
    }
}

final class GeneratorTests: XCTestCase {
    private var greedy: Sampler {
        var parameters = SamplingParameters()
        parameters.temperature = 0
        return Sampler(parameters)
    }

    func testStopsAtEndOfSequenceWithoutReturningIt() throws {
        let model = CountingPredictor()
        let generator = Generator(model: model, stopTokenIds: [6])
        var sampler = greedy
        var streamed: [Int] = []
        let result = try generator.generate(prompt: [1, 2], maxTokens: 100, sampler: &sampler) {
            streamed.append($0)
            return .continue
        }
        XCTAssertEqual(result.tokens, [3, 4, 5])
        XCTAssertEqual(streamed, [3, 4, 5])
        XCTAssertEqual(result.finishReason, .stop)
        XCTAssertEqual(result.stats.promptTokens, 2)
        XCTAssertEqual(result.stats.generatedTokens, 3)
        XCTAssertEqual(result.stats.decodeSteps, 3)
        XCTAssertEqual(generator.cachedIds, [1, 2, 3, 4, 5])
    }

    func testStopsAtMaxTokensAndWhenTheCallbackSaysSo() throws {
        let generator = Generator(model: CountingPredictor(), stopTokenIds: [])
        var sampler = greedy
        let limited = try generator.generate(prompt: [0], maxTokens: 4, sampler: &sampler) { _ in .continue }
        XCTAssertEqual(limited.tokens, [1, 2, 3, 4])
        XCTAssertEqual(limited.finishReason, .length)
        let stopped = try generator.generate(prompt: [0], maxTokens: 10, sampler: &sampler) { $0 == 2 ? .stop : .continue }
        XCTAssertEqual(stopped.tokens, [1, 2])
        XCTAssertEqual(stopped.finishReason, .stop)
    }

    func testReusesTheCachedPrefixAndPrefillsOnlyNewTokens() throws {
        let model = CountingPredictor()
        let generator = Generator(model: model, stopTokenIds: [])
        var sampler = greedy
        _ = try generator.generate(prompt: [5, 5, 5], maxTokens: 2, sampler: &sampler) { _ in .continue }
        XCTAssertEqual(generator.cachedIds, [5, 5, 5, 6])  // the last sampled token is never fed
        let second = try generator.generate(prompt: [5, 5, 5, 6, 7, 9, 9], maxTokens: 1, sampler: &sampler) { _ in .continue }
        XCTAssertEqual(second.stats.reusedPromptTokens, 4)
        XCTAssertEqual(model.forwarded.suffix(1), [[7, 9, 9]])
        // A diverging prompt rewinds the cache to the common prefix.
        let third = try generator.generate(prompt: [5, 5, 1], maxTokens: 1, sampler: &sampler) { _ in .continue }
        XCTAssertEqual(third.stats.reusedPromptTokens, 2)
        XCTAssertEqual(model.forwarded.last, [1])
        XCTAssertEqual(third.tokens, [2])
        // The same prompt again still feeds its last token to get fresh logits.
        let again = try generator.generate(prompt: [5, 5, 1], maxTokens: 1, sampler: &sampler) { _ in .continue }
        XCTAssertEqual(again.stats.reusedPromptTokens, 2)
        XCTAssertEqual(again.tokens, [2])
    }

    func testPrefillIsChunkedAndCancellable() throws {
        let model = CountingPredictor()
        let generator = Generator(model: model, stopTokenIds: [])
        generator.prefillChunkSize = 3
        var sampler = greedy
        _ = try generator.generate(prompt: Array(repeating: 1, count: 7), maxTokens: 1, sampler: &sampler) { _ in .continue }
        XCTAssertEqual(model.forwarded.map(\.count), [3, 3, 1])
        var checks = 0
        let cancelled = try generator.generate(prompt: [2, 3, 4, 5, 6, 7, 8], maxTokens: 5, sampler: &sampler,
                                               isCancelled: { checks += 1; return checks > 1 }) { _ in .continue }
        XCTAssertEqual(cancelled.finishReason, .cancelled)
        XCTAssertEqual(cancelled.tokens, [])
        XCTAssertEqual(model.cachedTokens, generator.cachedIds.count)
    }

    func testEndsAtAFullContextAndRejectsTooLongPrompts() throws {
        let generator = Generator(model: CountingPredictor(contextSize: 5), stopTokenIds: [])
        var sampler = greedy
        let result = try generator.generate(prompt: [0, 1], maxTokens: -1, sampler: &sampler) { _ in .continue }
        XCTAssertEqual(result.tokens, [2, 3, 4, 5])
        XCTAssertEqual(result.finishReason, .length)
        XCTAssertThrowsError(try generator.generate(prompt: Array(repeating: 0, count: 6), maxTokens: 1, sampler: &sampler) { _ in .continue }) {
            XCTAssertTrue(String(describing: $0).contains("longer than the context of 5"), "\($0)")
        }
    }

    func testRewindsWhenTheCacheWasMovedBehindItsBack() throws {
        let model = CountingPredictor()
        let generator = Generator(model: model, stopTokenIds: [])
        var sampler = greedy
        _ = try generator.generate(prompt: [1, 2, 3], maxTokens: 1, sampler: &sampler) { _ in .continue }
        model.truncateCache(to: 1)
        let result = try generator.generate(prompt: [1, 2, 3], maxTokens: 1, sampler: &sampler) { _ in .continue }
        XCTAssertEqual(result.stats.reusedPromptTokens, 0)
        XCTAssertEqual(result.tokens, [4])
    }
}
