/// What a choice type tells the body it goes in.
public protocol CompletionChoice: Codable, Equatable, Sendable {
    /// The body's `object`: "chat.completion", "chat.completion.chunk" or "text_completion".
    static var object: String { get }
}

/// The members every completion body and stream chunk share, written in OpenAI's order around the
/// choices, which are what differs: a chat message, a chat delta, or completion text.
public struct CompletionEnvelope<Choice: CompletionChoice>: Codable, Equatable, Sendable {
    public var id: String
    public var object = Choice.object
    public var created: Int
    public var model: String
    public var systemFingerprint: String?
    /// One choice, or none in a stream's usage chunk.
    public var choices: [Choice]
    public var usage: Usage?
    /// Written (as null on ordinary chunks) when the stream's client asked for usage.
    public var includesUsageField = false
    public var timings: Timings?
    /// With `return_token_ids` (vLLM's extension), in a chat body or on the chat chunk with
    /// `finish_reason`: the prompt's ids. (Completions carry them in the choice.)
    public var promptTokenIds: [Int]?

    enum CodingKeys: String, CodingKey {
        case id, object, created, model, systemFingerprint = "system_fingerprint", choices, usage, timings
        case promptTokenIds = "prompt_token_ids"
    }

    public init(id: String, created: Int, model: String, systemFingerprint: String?, choices: [Choice],
                usage: Usage? = nil, includesUsageField: Bool = false, timings: Timings? = nil,
                promptTokenIds: [Int]? = nil) {
        self.id = id
        self.created = created
        self.model = model
        self.systemFingerprint = systemFingerprint
        self.choices = choices
        self.usage = usage
        self.includesUsageField = includesUsageField
        self.timings = timings
        self.promptTokenIds = promptTokenIds
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
