import SeekEngine
import SeekTokenizer

/// A finished reply.
struct Completion {
    var tokens: [Int]
    /// The reply's text, cut before a stop string.
    var text: String
    var finishReason: FinishReason
    var stats: GenerationStats
}

/// Generation with text: drives the engine's `Generator` and turns its tokens into text that is safe
/// to show at once (whole UTF-8 characters, stop strings held back and cut).
struct TextGeneration {
    let generator: Generator
    let tokenizer: Tokenizer

    func complete(promptIds: [Int], settings: SamplingSettings, sampler: inout Sampler,
                  isCancelled: () -> Bool = { false }, onText: (String) -> Void) throws -> Completion {
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
        return Completion(tokens: result.tokens, text: text, finishReason: result.finishReason, stats: result.stats)
    }
}
