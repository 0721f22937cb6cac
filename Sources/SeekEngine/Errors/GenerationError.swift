/// Input the model cannot run on.
public enum GenerationError: Error, CustomStringConvertible, Equatable, Sendable {
    /// A generation asked for with no prompt tokens.
    case emptyPrompt
    /// A forward pass over no tokens.
    case noTokens
    case tokenOutsideVocabulary(id: Int, vocabularySize: Int)
    /// A batched pass named a sequence that was never made, or was released.
    case unknownSequence(SequenceID)
    /// A batched pass named one sequence twice.
    case sequenceRepeated(SequenceID)
    /// LoadOptions.batchSize below 1.
    case invalidBatchSize(Int)
    /// The model produced NaN or infinite logits (corrupt weights or a config that breaks the math).
    case nonFiniteLogits(position: Int)

    public var description: String {
        switch self {
        case .emptyPrompt: return "the prompt is empty (no tokens)"
        case .noTokens: return "forward needs at least one token"
        case .tokenOutsideVocabulary(let id, let size): return "token id \(id) is outside the vocabulary (0..<\(size))"
        case .unknownSequence(let id): return "\(id) does not exist (never made, or released)"
        case .sequenceRepeated(let id): return "\(id) appears twice in one forward pass"
        case .invalidBatchSize(let size): return "batch size must be positive, got \(size)"
        case .nonFiniteLogits(let position):
            return "the model computed NaN or infinite logits at position \(position): its weights or config.json are corrupt"
        }
    }
}
