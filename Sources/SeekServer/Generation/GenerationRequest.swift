import SeekEngine

/// A validated request, independent of the endpoint it came through: what the scheduler runs.
public struct GenerationRequest: Sendable {
    public var promptIds: [Int]
    public var sampling: SamplingParameters
    /// OpenAI's penalties over the tokens generated so far: `presence` once per token seen, `frequency`
    /// times its count, subtracted from the logits.
    public var presencePenalty: Float = 0
    public var frequencyPenalty: Float = 0
    /// Most tokens to generate; nil: until a stop or the end of the context.
    public var maxTokens: Int?
    public var stop: [String] = []
    /// Report each generated token's log probability with this many alternatives; nil: no logprobs.
    public var topLogprobs: Int?
    /// Hears the finished reply (see `ReplyObserver`); nil: nobody listens.
    public var onReply: ReplyObserver?

    public init(promptIds: [Int], sampling: SamplingParameters = SamplingParameters()) {
        self.promptIds = promptIds
        self.sampling = sampling
    }
}

/// Hears a finished reply's ids (end-of-sequence excluded) and its whole text as sent, before the
/// client hears that it finished: a chat model remembers them so that the conversation's next turn,
/// resent whole, reuses the ids as generated (see `ServedModel.chatPrompt`).
public typealias ReplyObserver = @Sendable (_ ids: [Int], _ text: String) -> Void

/// Why a generation ended, in the API's words.
public enum GenerationFinish: String, Sendable {
    case stop
    case length
    case cancelled
}

/// The end of one generation.
public struct GenerationOutcome: Sendable {
    public var finish: GenerationFinish
    public var promptTokens: Int
    public var cachedTokens: Int
    public var completionTokens: Int
    public var timings: Timings
    /// The prompt's and the reply's token ids (end-of-sequence excluded), for `return_token_ids`.
    public var promptTokenIds: [Int] = []
    public var completionTokenIds: [Int] = []

    public var usage: Usage {
        Usage(promptTokens: promptTokens, completionTokens: completionTokens, cachedTokens: cachedTokens)
    }
}

/// What a running generation reports, in order: text pieces, then exactly one `finished` or `failed`.
public enum GenerationEvent: Sendable {
    /// New text (whole UTF-8 characters, stop strings cut) and the log probabilities of the tokens that
    /// produced it when they were asked for. Either may be empty, not both.
    case text(String, logprobs: [ChosenTokenLogprob])
    case finished(GenerationOutcome)
    case failed(OpenAIError)
}
