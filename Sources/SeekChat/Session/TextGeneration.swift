import SeekEngine
import SeekTokenizer

/// A finished reply.
public struct Completion: Sendable, Equatable {
    public var tokens: [Int]
    /// The reply's text, cut before a stop string.
    public var text: String
    public var finishReason: FinishReason
    public var stats: GenerationStats
    /// Per generated token (asked for with `logprobs`): its log-probability and the most likely
    /// alternatives', under the distribution the sampler drew from.
    public var logprobs: [LogprobRecorder.Entry]?

    public init(tokens: [Int], text: String, finishReason: FinishReason, stats: GenerationStats,
                logprobs: [LogprobRecorder.Entry]? = nil) {
        self.tokens = tokens
        self.text = text
        self.finishReason = finishReason
        self.stats = stats
        self.logprobs = logprobs
    }
}

/// Generation with text: drives the engine's `Generator` and turns its tokens into text that is safe
/// to show at once (whole UTF-8 characters, stop strings held back and cut).
public struct TextGeneration {
    public let generator: Generator
    public let tokenizer: Tokenizer

    public init(generator: Generator, tokenizer: Tokenizer) {
        self.generator = generator
        self.tokenizer = tokenizer
    }

    /// Generates a reply to `promptIds`, streaming its text through `onText` piece by piece; the pieces
    /// joined are the completion's text. `isCancelled` is asked between tokens. With `logprobs` N, the
    /// completion carries each token's log-probability and the N most likely alternatives'.
    public func complete(promptIds: [Int], settings: SamplingSettings, sampler: inout Sampler, logprobs: Int? = nil,
                         isCancelled: () -> Bool = { false }, onText: (String) -> Void) throws -> Completion {
        let recorder = logprobs.map { LogprobRecorder(top: $0) }
        let previousRecorder = sampler.recorder
        sampler.recorder = recorder
        defer { sampler.recorder = previousRecorder }
        var detokenizer = StreamingDetokenizer(tokenizer: tokenizer, skipSpecialTokens: true)
        var stops = StopSequences(settings.stop)
        var text = ""
        func emit(_ piece: String) {
            guard !piece.isEmpty else { return }
            text += piece
            onText(piece)
        }
        let result = try generator.generate(prompt: promptIds, maxTokens: settings.maxTokens, sampler: &sampler,
                                            isCancelled: isCancelled) { id in
            emit(stops.append(detokenizer.append(id)))
            return stops.isStopped ? .stop : .continue
        }
        emit(stops.append(detokenizer.finish()))
        emit(stops.finish())
        // The recorder also heard the end-of-sequence token that ended the reply; it is not part of it.
        return Completion(tokens: result.tokens, text: text, finishReason: result.finishReason, stats: result.stats,
                          logprobs: recorder.map { Array($0.entries.prefix(result.tokens.count)) })
    }
}
