/// Why generation ended.
public enum FinishReason: String, Sendable {
    /// An end-of-sequence token or a stop string (the caller's callback said stop).
    case stop
    /// The token limit or the end of the context.
    case length
    /// The caller cancelled (Ctrl-C).
    case cancelled
}

/// Timings of one generation, as llama.cpp and ollama report them.
public struct GenerationStats: Sendable, Equatable {
    /// Tokens in the prompt.
    public var promptTokens = 0
    /// Prompt tokens found in the KV cache already (an earlier turn), so not computed again.
    public var reusedPromptTokens = 0
    /// Tokens generated (end-of-sequence tokens excluded).
    public var generatedTokens = 0
    /// Seconds spent on the forward pass over the new prompt tokens.
    public var prefillSeconds = 0.0
    /// Seconds from the start until the first generated token was known.
    public var timeToFirstToken = 0.0
    /// Seconds of forward passes over generated tokens.
    public var decodeSeconds = 0.0
    /// Forward passes in `decodeSeconds` (the last token is never fed back, so usually generated - 1).
    public var decodeSteps = 0

    public init() {}

    /// Prompt tokens actually computed.
    public var prefilledTokens: Int { promptTokens - reusedPromptTokens }

    public var prefillTokensPerSecond: Double {
        prefillSeconds > 0 ? Double(prefilledTokens) / prefillSeconds : 0
    }

    public var decodeTokensPerSecond: Double {
        decodeSeconds > 0 ? Double(decodeSteps) / decodeSeconds : 0
    }
}

/// The outcome of `Generator.generate`.
public struct GenerationResult: Sendable {
    /// Generated ids, end-of-sequence excluded.
    public var tokens: [Int]
    public var finishReason: FinishReason
    public var stats: GenerationStats
}

/// What the per-token callback tells the generator.
public enum TokenDecision: Sendable {
    case `continue`
    case stop
}
