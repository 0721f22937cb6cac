/// Names one sequence (a chat, a server slot) whose latent KV cache a `BatchTokenPredictor` holds.
public struct SequenceID: Hashable, Sendable, CustomStringConvertible {
    public let rawValue: Int
    public init(_ rawValue: Int) { self.rawValue = rawValue }
    public var description: String { "sequence \(rawValue)" }
}

/// The new tokens of one sequence in a batched forward pass.
public struct SequenceStep: Sendable {
    public var sequence: SequenceID
    /// Appended after the sequence's cached tokens (at least one).
    public var tokens: [Int]
    /// Return the logits of every new token ([tokens.count * vocab]) instead of only the last one's.
    public var allLogits: Bool

    public init(sequence: SequenceID, tokens: [Int], allLogits: Bool = false) {
        self.sequence = sequence
        self.tokens = tokens
        self.allLogits = allLogits
    }
}

/// A model that decodes several sequences together (continuous batching): each forward pass runs the
/// new tokens of every sequence in the batch through the weights once, while each sequence keeps its
/// own KV cache. `DeepSeekModel` is one; tests drive schedulers with small scripted predictors.
public protocol BatchTokenPredictor: AnyObject {
    /// Tokens one sequence's cache can hold.
    var contextSize: Int { get }
    /// Length of a logits row.
    var vocabularySize: Int { get }
    /// A new, empty sequence with its own cache.
    func makeSequence() throws -> SequenceID
    /// Frees the sequence's cache; the id is not used again.
    func releaseSequence(_ sequence: SequenceID)
    /// Tokens in the sequence's cache.
    func cachedTokens(of sequence: SequenceID) -> Int
    /// Forgets the sequence's cached tokens from position `length` on.
    func truncate(_ sequence: SequenceID, to length: Int)
    /// Context shift: drops the sequence's cached tokens in `range` (clamped to what is cached) and moves
    /// the later ones back by its length, as if the shortened token sequence had been prefilled.
    func removeCachedTokens(of sequence: SequenceID, in range: Range<Int>)
    /// One forward pass over several sequences (each at most once per call). Returns, in the order of
    /// `steps`, each step's logits: its last token's ([vocab]), or all its tokens' with `allLogits`.
    func forward(_ steps: [SequenceStep]) throws -> [[Float]]
}
