/// What a completion stream delivers, in order, whichever server sent it.
public enum RemoteEvent: Equatable, Sendable {
    /// The reply's role (the first chunk of a chat stream).
    case role(String)
    /// Answer text.
    case content(String)
    /// Reasoning text (`reasoning_content` or `reasoning` deltas of R1-style servers): for the CLI to
    /// show apart from the answer.
    case reasoning(String)
    /// Why the reply ended: "stop", "length", or the server's word.
    case finish(reason: String)
    /// Token counts (and timings where the server sends them).
    case usage(RemoteUsage)
    /// Token ids, from servers that return them when asked (`return_token_ids`: seek, vLLM): the
    /// prompt's (once) and the reply's ids this chunk carried; a stream's `reply` lists join.
    case tokenIds(prompt: [Int]?, reply: [Int])
}

/// Token counts and, from seek and llama-server, timings.
public struct RemoteUsage: Equatable, Sendable {
    public var promptTokens: Int
    public var completionTokens: Int
    public var cachedTokens: Int?
    public var timings: RemoteTimings?

    public init(promptTokens: Int, completionTokens: Int, cachedTokens: Int? = nil, timings: RemoteTimings? = nil) {
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.cachedTokens = cachedTokens
        self.timings = timings
    }
}

/// llama-server's `timings` object (seek's server sends the same keys).
public struct RemoteTimings: Equatable, Sendable, Decodable {
    public var promptN: Int?
    public var promptMs: Double?
    public var promptPerSecond: Double?
    public var predictedN: Int?
    public var predictedMs: Double?
    public var predictedPerSecond: Double?
    public var cacheN: Int?

    public init() {}

    enum CodingKeys: String, CodingKey {
        case promptN = "prompt_n", promptMs = "prompt_ms", promptPerSecond = "prompt_per_second"
        case predictedN = "predicted_n", predictedMs = "predicted_ms", predictedPerSecond = "predicted_per_second"
        case cacheN = "cache_n"
    }
}
