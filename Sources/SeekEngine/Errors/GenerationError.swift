/// Input the model cannot run on.
public enum GenerationError: Error, CustomStringConvertible, Equatable, Sendable {
    /// A generation asked for with no prompt tokens.
    case emptyPrompt
    /// A forward pass over no tokens.
    case noTokens
    case tokenOutsideVocabulary(id: Int, vocabularySize: Int)

    public var description: String {
        switch self {
        case .emptyPrompt: return "the prompt is empty (no tokens)"
        case .noTokens: return "forward needs at least one token"
        case .tokenOutsideVocabulary(let id, let size): return "token id \(id) is outside the vocabulary (0..<\(size))"
        }
    }
}
