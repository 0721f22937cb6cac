/// Tokens that do not fit the KV cache, or a cache size that cannot be.
public enum ContextError: Error, CustomStringConvertible, Equatable, Sendable {
    /// A forward pass would write past the cache.
    case full(cached: Int, adding: Int, capacity: Int)
    /// A prompt longer than the whole cache.
    case promptTooLong(tokens: Int, capacity: Int)
    case invalidSize(Int)
    /// The KV cache and workspace for `tokens` of context would need `bytes` (nil: more than can be
    /// counted), more than the machine's `physicalBytes`.
    case exceedsMemory(tokens: Int, bytes: Int?, physicalBytes: Int)

    public var description: String {
        switch self {
        case .full(let cached, let adding, let capacity):
            return "context is full: \(cached) cached + \(adding) new tokens exceed the context size \(capacity)"
        case .promptTooLong(let tokens, let capacity):
            return "the prompt is \(tokens) tokens, longer than the context of \(capacity)"
        case .invalidSize(let size): return "context size must be positive, got \(size)"
        case .exceedsMemory(let tokens, let bytes, let physical):
            let needed = bytes.map { ContextError.gigabytes($0) } ?? "more than can be addressed"
            return "a context of \(tokens) tokens needs \(needed) of memory for the KV cache and workspace, "
                + "more than this machine's \(ContextError.gigabytes(physical))"
        }
    }
}

extension ContextError {
    static func gigabytes(_ bytes: Int) -> String {
        let gib = Double(bytes) / Double(1 << 30)
        return gib >= 10 ? "\(Int(gib.rounded())) GiB" : "\((gib * 10).rounded() / 10) GiB"
    }
}
