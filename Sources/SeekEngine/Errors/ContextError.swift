/// Tokens that do not fit the KV cache, or a cache size that cannot be.
public enum ContextError: Error, CustomStringConvertible, Equatable, Sendable {
    /// A forward pass would write past the cache.
    case full(cached: Int, adding: Int, capacity: Int)
    /// A prompt longer than the whole cache.
    case promptTooLong(tokens: Int, capacity: Int)
    case invalidSize(Int)

    public var description: String {
        switch self {
        case .full(let cached, let adding, let capacity):
            return "context is full: \(cached) cached + \(adding) new tokens exceed the context size \(capacity)"
        case .promptTooLong(let tokens, let capacity):
            return "the prompt is \(tokens) tokens, longer than the context of \(capacity)"
        case .invalidSize(let size): return "context size must be positive, got \(size)"
        }
    }
}
