/// The body of a non-streaming text completion, and (with `object` "text_completion" too) each chunk of
/// a streamed one, as OpenAI's legacy completions API sends them.
public struct CompletionResponse: Codable, Equatable, Sendable {
    public var id: String
    public var object = "text_completion"
    public var created: Int
    public var model: String
    public var systemFingerprint: String?
    public var choices: [Choice]
    public var usage: Usage?
    /// Written (as null on ordinary chunks) when the stream's client asked for usage.
    public var includesUsageField = false
    public var timings: Timings?

    public struct Choice: Codable, Equatable, Sendable {
        public var text: String
        public var index: Int
        public var logprobs: CompletionLogprobs?
        public var finishReason: String?
        /// With `return_token_ids` (vLLM's extension), on the chunk with `finish_reason` (or in the body):
        /// the prompt's and the reply's ids.
        public var promptTokenIds: [Int]? = nil
        public var tokenIds: [Int]? = nil

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(text, forKey: .text)
            try container.encode(index, forKey: .index)
            try container.encode(logprobs, forKey: .logprobs)
            try container.encode(finishReason, forKey: .finishReason)
            try container.encodeIfPresent(promptTokenIds, forKey: .promptTokenIds)
            try container.encodeIfPresent(tokenIds, forKey: .tokenIds)
        }

        enum CodingKeys: String, CodingKey {
            case text, index, logprobs, finishReason = "finish_reason", promptTokenIds = "prompt_token_ids", tokenIds = "token_ids"
        }
    }

    enum CodingKeys: String, CodingKey {
        case id, object, created, model, systemFingerprint = "system_fingerprint", choices, usage, timings
    }

    public init(id: String, created: Int, model: String, systemFingerprint: String?, choices: [Choice],
                usage: Usage?, includesUsageField: Bool = false, timings: Timings? = nil) {
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
    }
}
