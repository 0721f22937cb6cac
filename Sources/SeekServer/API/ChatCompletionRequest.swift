/// The body of `POST /v1/chat/completions`, as far as this server reads it.
public struct ChatCompletionRequest: Decodable, Equatable, Sendable {
    public var model: String?
    public var messages: [ChatMessage]
    public var sampling: SamplingFields
    /// Return the log probability of each generated token.
    public var logprobs: Bool?
    /// With `logprobs`: also the most likely alternatives at each position (0–20).
    public var topLogprobs: Int?

    enum CodingKeys: String, CodingKey {
        case model, messages, logprobs, topLogprobs = "top_logprobs"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        model = try container.decodeIfPresent(String.self, forKey: .model)
        messages = try container.decode([ChatMessage].self, forKey: .messages)
        logprobs = try container.decodeIfPresent(Bool.self, forKey: .logprobs)
        topLogprobs = try container.decodeIfPresent(Int.self, forKey: .topLogprobs)
        sampling = try SamplingFields(from: decoder)
    }
}
