/// The body of a non-streaming chat completion.
public typealias ChatCompletionResponse = CompletionEnvelope<ChatCompletionChoice>

/// One `data:` event of a streamed chat completion (`chat.completion.chunk`).
public typealias ChatCompletionChunk = CompletionEnvelope<ChatChunkChoice>

public struct ChatCompletionChoice: CompletionChoice {
    public static let object = "chat.completion"
    public var index: Int
    public var message: Message
    public var logprobs: ChatLogprobs?
    public var finishReason: String
    /// With `return_token_ids`: the reply's ids.
    public var tokenIds: [Int]? = nil

    public struct Message: Codable, Equatable, Sendable {
        public var role: String
        public var content: String
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(index, forKey: .index)
        try container.encode(message, forKey: .message)
        try container.encode(logprobs, forKey: .logprobs)  // null when not asked for, as OpenAI sends it
        try container.encode(finishReason, forKey: .finishReason)
        try container.encodeIfPresent(tokenIds, forKey: .tokenIds)
    }

    enum CodingKeys: String, CodingKey { case index, message, logprobs, finishReason = "finish_reason", tokenIds = "token_ids" }
}

public struct ChatChunkChoice: CompletionChoice {
    public static let object = "chat.completion.chunk"
    public var index: Int
    public var delta: Delta
    public var logprobs: ChatLogprobs?
    public var finishReason: String?
    /// With `return_token_ids`, on the chunk with `finish_reason`: all the reply's ids at once (a
    /// client that joins the chunks' `token_ids`, as vLLM streams them, gets the same list).
    public var tokenIds: [Int]? = nil

    public struct Delta: Codable, Equatable, Sendable {
        public var role: String?
        public var content: String?
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(index, forKey: .index)
        try container.encode(delta, forKey: .delta)
        try container.encode(logprobs, forKey: .logprobs)
        try container.encode(finishReason, forKey: .finishReason)
        try container.encodeIfPresent(tokenIds, forKey: .tokenIds)
    }

    enum CodingKeys: String, CodingKey { case index, delta, logprobs, finishReason = "finish_reason", tokenIds = "token_ids" }
}
