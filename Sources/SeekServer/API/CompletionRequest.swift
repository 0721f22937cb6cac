/// The body of `POST /v1/completions` (the legacy text completion API), as far as this server reads it.
public struct CompletionRequest: Decodable, Equatable, Sendable {
    public var model: String?
    public var prompt: PromptField
    public var sampling: SamplingFields
    /// Log probabilities of each token plus this many alternatives (0–20).
    public var logprobs: Int?
    /// Prepend the prompt to the returned text.
    public var echo: Bool?
    public var suffix: String?

    enum CodingKeys: String, CodingKey { case model, prompt, logprobs, echo, suffix }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        model = try container.decodeIfPresent(String.self, forKey: .model)
        prompt = try container.decode(PromptField.self, forKey: .prompt)
        logprobs = try container.decodeIfPresent(Int.self, forKey: .logprobs)
        echo = try container.decodeIfPresent(Bool.self, forKey: .echo)
        suffix = try container.decodeIfPresent(String.self, forKey: .suffix)
        sampling = try SamplingFields(from: decoder)
    }
}
