/// Token counts, as OpenAI reports them.
public struct Usage: Codable, Equatable, Sendable {
    public var promptTokens: Int
    public var completionTokens: Int
    public var totalTokens: Int
    /// How many prompt tokens came from the slot's cache (OpenAI's `prompt_tokens_details.cached_tokens`).
    public var promptTokensDetails: PromptTokensDetails?

    public struct PromptTokensDetails: Codable, Equatable, Sendable {
        public var cachedTokens: Int
        enum CodingKeys: String, CodingKey { case cachedTokens = "cached_tokens" }
    }

    public init(promptTokens: Int, completionTokens: Int, cachedTokens: Int? = nil) {
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        totalTokens = promptTokens + completionTokens
        promptTokensDetails = cachedTokens.map { PromptTokensDetails(cachedTokens: $0) }
    }

    enum CodingKeys: String, CodingKey {
        case promptTokens = "prompt_tokens", completionTokens = "completion_tokens", totalTokens = "total_tokens"
        case promptTokensDetails = "prompt_tokens_details"
    }
}

/// seek's timings of one request, an extra top-level field with llama-server's key names so tools that
/// read llama-server's `timings` read these too.
public struct Timings: Codable, Equatable, Sendable {
    /// Prompt tokens found in the slot's cache (not computed).
    public var cacheN: Int
    /// Prompt tokens computed.
    public var promptN: Int
    /// Milliseconds from the request's admission to a slot until its prompt was computed.
    public var promptMs: Double
    public var promptPerSecond: Double
    /// Tokens generated.
    public var predictedN: Int
    /// Milliseconds from the first generated token to the last.
    public var predictedMs: Double
    public var predictedPerSecond: Double
    /// Milliseconds from arrival (queue included) to the first generated token.
    public var timeToFirstTokenMs: Double
    /// Milliseconds the request waited for a slot.
    public var queueMs: Double

    public init(cacheN: Int, promptN: Int, promptMs: Double, predictedN: Int, predictedMs: Double,
                timeToFirstTokenMs: Double, queueMs: Double) {
        self.cacheN = cacheN
        self.promptN = promptN
        self.promptMs = promptMs
        promptPerSecond = promptMs > 0 ? Double(promptN) * 1000 / promptMs : 0
        self.predictedN = predictedN
        self.predictedMs = predictedMs
        // The first token comes out of the prefill, so n tokens take n - 1 decode steps.
        predictedPerSecond = predictedMs > 0 && predictedN > 1 ? Double(predictedN - 1) * 1000 / predictedMs : 0
        self.timeToFirstTokenMs = timeToFirstTokenMs
        self.queueMs = queueMs
    }

    enum CodingKeys: String, CodingKey {
        case cacheN = "cache_n", promptN = "prompt_n", promptMs = "prompt_ms", promptPerSecond = "prompt_per_second"
        case predictedN = "predicted_n", predictedMs = "predicted_ms", predictedPerSecond = "predicted_per_second"
        case timeToFirstTokenMs = "ttft_ms", queueMs = "queue_ms"
    }
}
