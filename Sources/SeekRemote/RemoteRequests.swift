/// A chat message sent to a server.
public struct RemoteMessage: Codable, Equatable, Sendable {
    public var role: String
    public var content: String

    public init(role: String, content: String) {
        self.role = role
        self.content = content
    }
}

/// Sampling fields a request may carry. Fields left nil are not sent, so the server's defaults apply and
/// strict servers never see the llama-server extensions (`top_k`, `min_p`, `repeat_penalty`) unasked.
public struct RemoteSampling: Equatable, Sendable {
    public var maxTokens: Int?
    public var temperature: Double?
    public var topP: Double?
    public var topK: Int?
    public var minP: Double?
    public var repeatPenalty: Double?
    public var presencePenalty: Double?
    public var frequencyPenalty: Double?
    public var seed: Int64?
    public var stop: [String] = []
    /// Ask for the prompt's and the reply's token ids (vLLM's `return_token_ids`; seek serve has it too).
    /// Off by default: strict servers (OpenAI) refuse unknown fields.
    public var returnTokenIds = false

    public init() {}
}

/// The body of a streamed `/chat/completions` or `/completions` request.
struct StreamRequestBody: Encodable {
    var model: String?
    var messages: [RemoteMessage]?
    var prompt: String?
    var sampling: RemoteSampling

    enum CodingKeys: String, CodingKey {
        case model, messages, prompt, stream, streamOptions = "stream_options", maxTokens = "max_tokens", temperature
        case topP = "top_p", topK = "top_k", minP = "min_p", repeatPenalty = "repeat_penalty"
        case presencePenalty = "presence_penalty", frequencyPenalty = "frequency_penalty", seed, stop
        case returnTokenIds = "return_token_ids"
    }

    struct StreamOptions: Encodable {
        var includeUsage = true
        enum CodingKeys: String, CodingKey { case includeUsage = "include_usage" }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(model, forKey: .model)
        try container.encodeIfPresent(messages, forKey: .messages)
        try container.encodeIfPresent(prompt, forKey: .prompt)
        try container.encode(true, forKey: .stream)
        try container.encode(StreamOptions(), forKey: .streamOptions)
        try container.encodeIfPresent(sampling.maxTokens, forKey: .maxTokens)
        try container.encodeIfPresent(sampling.temperature, forKey: .temperature)
        try container.encodeIfPresent(sampling.topP, forKey: .topP)
        try container.encodeIfPresent(sampling.topK, forKey: .topK)
        try container.encodeIfPresent(sampling.minP, forKey: .minP)
        try container.encodeIfPresent(sampling.repeatPenalty, forKey: .repeatPenalty)
        try container.encodeIfPresent(sampling.presencePenalty, forKey: .presencePenalty)
        try container.encodeIfPresent(sampling.frequencyPenalty, forKey: .frequencyPenalty)
        try container.encodeIfPresent(sampling.seed, forKey: .seed)
        if !sampling.stop.isEmpty { try container.encode(sampling.stop, forKey: .stop) }
        if sampling.returnTokenIds { try container.encode(true, forKey: .returnTokenIds) }
    }
}

/// One entry of `GET /v1/models`.
public struct RemoteModel: Decodable, Equatable, Sendable {
    public var id: String
    public var ownedBy: String?
    public var maxModelLen: Int?

    public init(id: String, ownedBy: String? = nil, maxModelLen: Int? = nil) {
        self.id = id
        self.ownedBy = ownedBy
        self.maxModelLen = maxModelLen
    }

    enum CodingKeys: String, CodingKey { case id, ownedBy = "owned_by", maxModelLen = "max_model_len" }
}

struct ModelListBody: Decodable {
    var data: [RemoteModel]
}
