/// `stop`: one string or a list of them.
public struct StopField: Decodable, Equatable, Sendable {
    public var strings: [String]

    public init(_ strings: [String]) { self.strings = strings }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            strings = []
        } else if let one = try? container.decode(String.self) {
            strings = [one]
        } else {
            strings = try container.decode([String].self)
        }
    }
}

/// `stream_options`.
public struct StreamOptions: Decodable, Equatable, Sendable {
    /// Send a chunk with `usage` (and empty `choices`) before `data: [DONE]`.
    public var includeUsage: Bool?

    enum CodingKeys: String, CodingKey { case includeUsage = "include_usage" }
}

/// The sampling and limit fields chat completions and completions share, including the extensions
/// llama-server accepts (`top_k`, `min_p`, `repeat_penalty`).
public struct SamplingFields: Decodable, Equatable, Sendable {
    public var maxTokens: Int?
    public var maxCompletionTokens: Int?
    public var temperature: Double?
    public var topP: Double?
    public var seed: Int64?
    public var stop: StopField?
    public var presencePenalty: Double?
    public var frequencyPenalty: Double?
    public var n: Int?
    public var stream: Bool?
    public var streamOptions: StreamOptions?
    public var topK: Int?
    public var minP: Double?
    public var repeatPenalty: Double?
    /// vLLM's extension: the response carries the prompt's and the reply's token ids.
    public var returnTokenIds: Bool?

    enum CodingKeys: String, CodingKey {
        case maxTokens = "max_tokens", maxCompletionTokens = "max_completion_tokens", temperature
        case topP = "top_p", seed, stop, presencePenalty = "presence_penalty"
        case frequencyPenalty = "frequency_penalty", n, stream, streamOptions = "stream_options"
        case topK = "top_k", minP = "min_p", repeatPenalty = "repeat_penalty", returnTokenIds = "return_token_ids"
    }
}

/// One chat message. `content` is a string, or a list of parts of which only `{"type": "text"}` ones
/// are accepted (this server reads text only).
public struct ChatMessage: Decodable, Equatable, Sendable {
    public var role: String
    public var content: String

    public init(role: String, content: String) {
        self.role = role
        self.content = content
    }

    enum CodingKeys: String, CodingKey { case role, content }

    struct Part: Decodable {
        var type: String
        var text: String?
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        role = try container.decode(String.self, forKey: .role)
        if try container.decodeNil(forKey: .content) {
            content = ""
        } else if let text = try? container.decode(String.self, forKey: .content) {
            content = text
        } else {
            let parts = try container.decode([Part].self, forKey: .content)
            var text = ""
            for part in parts {
                guard part.type == "text", let piece = part.text else {
                    throw DecodingError.dataCorruptedError(
                        forKey: .content, in: container,
                        debugDescription: "content part of type \"\(part.type)\" is not supported (text only)")
                }
                text += piece
            }
            content = text
        }
    }
}

/// The `prompt` of a completion: a string, or token ids. A one-element list of either is accepted too;
/// several prompts in one request are not (that would be n > 1).
public enum PromptField: Decodable, Equatable, Sendable {
    case text(String)
    case tokens([Int])
    /// A list of several prompts: refused by validation.
    case batch(count: Int)

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let text = try? container.decode(String.self) {
            self = .text(text)
        } else if let ids = try? container.decode([Int].self) {
            self = .tokens(ids)
        } else if let texts = try? container.decode([String].self) {
            self = texts.count == 1 ? .text(texts[0]) : .batch(count: texts.count)
        } else if let lists = try? container.decode([[Int]].self) {
            self = lists.count == 1 ? .tokens(lists[0]) : .batch(count: lists.count)
        } else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "prompt must be a string or an array of token ids")
        }
    }
}
