/// The body of a non-streaming text completion, and each chunk of a streamed one, as OpenAI's legacy
/// completions API sends them.
public typealias CompletionResponse = CompletionEnvelope<TextCompletionChoice>

public struct TextCompletionChoice: CompletionChoice {
    public static let object = "text_completion"
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
