/// The body of a non-streaming chat completion.
public struct ChatCompletionResponse: Codable, Equatable, Sendable {
    public var id: String
    public var object = "chat.completion"
    public var created: Int
    public var model: String
    public var systemFingerprint: String?
    public var choices: [Choice]
    public var usage: Usage
    public var timings: Timings?
    /// With `return_token_ids` (vLLM's extension): the prompt's ids.
    public var promptTokenIds: [Int]? = nil

    public struct Choice: Codable, Equatable, Sendable {
        public var index: Int
        public var message: Message
        public var logprobs: ChatLogprobs?
        public var finishReason: String
        /// With `return_token_ids`: the reply's ids.
        public var tokenIds: [Int]? = nil

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

    public struct Message: Codable, Equatable, Sendable {
        public var role: String
        public var content: String
    }

    enum CodingKeys: String, CodingKey {
        case id, object, created, model, systemFingerprint = "system_fingerprint", choices, usage, timings
        case promptTokenIds = "prompt_token_ids"
    }
}

/// One `data:` event of a streamed chat completion (`chat.completion.chunk`).
public struct ChatCompletionChunk: Codable, Equatable, Sendable {
    public var id: String
    public var object = "chat.completion.chunk"
    public var created: Int
    public var model: String
    public var systemFingerprint: String?
    /// One choice, or none in the usage chunk.
    public var choices: [Choice]
    /// Written (as null on ordinary chunks) only when the client asked for usage.
    public var usage: Usage?
    public var includesUsageField = false
    public var timings: Timings?
    /// With `return_token_ids`, on the chunk that carries `finish_reason`: the prompt's ids.
    public var promptTokenIds: [Int]?

    public struct Choice: Codable, Equatable, Sendable {
        public var index: Int
        public var delta: Delta
        public var logprobs: ChatLogprobs?
        public var finishReason: String?
        /// With `return_token_ids`, on the chunk with `finish_reason`: all the reply's ids at once (a
        /// client that joins the chunks' `token_ids`, as vLLM streams them, gets the same list).
        public var tokenIds: [Int]? = nil

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

    public struct Delta: Codable, Equatable, Sendable {
        public var role: String?
        public var content: String?
    }

    enum CodingKeys: String, CodingKey {
        case id, object, created, model, systemFingerprint = "system_fingerprint", choices, usage, timings
        case promptTokenIds = "prompt_token_ids"
    }

    public init(id: String, created: Int, model: String, systemFingerprint: String?, choices: [Choice],
                usage: Usage? = nil, includesUsageField: Bool = false, timings: Timings? = nil, promptTokenIds: [Int]? = nil) {
        self.promptTokenIds = promptTokenIds
        self.id = id
        self.created = created
        self.model = model
        self.systemFingerprint = systemFingerprint
        self.choices = choices
        self.usage = usage
        self.includesUsageField = includesUsageField
        self.timings = timings
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        object = try container.decode(String.self, forKey: .object)
        created = try container.decode(Int.self, forKey: .created)
        model = try container.decode(String.self, forKey: .model)
        systemFingerprint = try container.decodeIfPresent(String.self, forKey: .systemFingerprint)
        choices = try container.decode([Choice].self, forKey: .choices)
        includesUsageField = container.contains(.usage)
        usage = try container.decodeIfPresent(Usage.self, forKey: .usage)
        timings = try container.decodeIfPresent(Timings.self, forKey: .timings)
        promptTokenIds = try container.decodeIfPresent([Int].self, forKey: .promptTokenIds)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(object, forKey: .object)
        try container.encode(created, forKey: .created)
        try container.encode(model, forKey: .model)
        try container.encodeIfPresent(systemFingerprint, forKey: .systemFingerprint)
        try container.encode(choices, forKey: .choices)
        if includesUsageField || usage != nil { try container.encode(usage, forKey: .usage) }
        try container.encodeIfPresent(timings, forKey: .timings)
        try container.encodeIfPresent(promptTokenIds, forKey: .promptTokenIds)
    }
}
