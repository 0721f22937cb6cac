import SeekJSON

/// A tokenizer loading failure: one line naming the file and the problem.
public struct TokenizerError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }

    /// A field of `file` that has the wrong kind or value.
    init(file: String, _ problem: JSONFieldError) { self.init("\(file): \(problem)") }
}

/// `encode(_:addSpecialTokens:maxTokens:)` stopped because the text needs more tokens than allowed.
/// `counted` is how many it had found when it stopped: at least that many are needed.
public struct TokenLimitExceeded: Error, CustomStringConvertible, Sendable, Equatable {
    public let limit: Int
    public let counted: Int
    public var description: String { "the text needs at least \(counted) tokens, more than the limit of \(limit)" }
}
