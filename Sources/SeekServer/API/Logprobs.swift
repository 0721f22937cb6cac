/// One candidate token with its log probability, in the chat API's shape.
public struct TokenLogprob: Codable, Equatable, Sendable {
    public var token: String
    public var logprob: Double
    public var bytes: [UInt8]?

    public init(token: String, logprob: Double, bytes: [UInt8]?) {
        self.token = token
        self.logprob = logprob
        self.bytes = bytes
    }
}

/// A generated token's log probability and the most likely alternatives at its position.
public struct ChosenTokenLogprob: Codable, Equatable, Sendable {
    public var token: String
    public var logprob: Double
    public var bytes: [UInt8]?
    public var topLogprobs: [TokenLogprob]

    public init(chosen: TokenLogprob, top: [TokenLogprob]) {
        token = chosen.token
        logprob = chosen.logprob
        bytes = chosen.bytes
        topLogprobs = top
    }

    enum CodingKeys: String, CodingKey { case token, logprob, bytes, topLogprobs = "top_logprobs" }
}

/// `choices[].logprobs` of chat completions: `{"content": [...]}`.
public struct ChatLogprobs: Codable, Equatable, Sendable {
    public var content: [ChosenTokenLogprob]
}

/// `choices[].logprobs` of the legacy completions API.
public struct CompletionLogprobs: Codable, Equatable, Sendable {
    public var tokens: [String]
    public var tokenLogprobs: [Double]
    public var topLogprobs: [[String: Double]]
    public var textOffset: [Int]

    enum CodingKeys: String, CodingKey {
        case tokens, tokenLogprobs = "token_logprobs", topLogprobs = "top_logprobs", textOffset = "text_offset"
    }

    /// The legacy shape of `tokens`; `offset` is the length of the text before the first of them.
    public init(_ tokens: [ChosenTokenLogprob], offset: Int) {
        self.tokens = tokens.map(\.token)
        tokenLogprobs = tokens.map(\.logprob)
        topLogprobs = tokens.map { entry in
            Dictionary(entry.topLogprobs.map { ($0.token, $0.logprob) }, uniquingKeysWith: { first, _ in first })
        }
        var position = offset
        textOffset = tokens.map { entry in
            defer { position += entry.token.count }
            return position
        }
    }
}
