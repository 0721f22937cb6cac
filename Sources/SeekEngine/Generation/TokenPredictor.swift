/// What generation needs from a model: a causal forward pass over a KV cache that can be rewound.
/// `DeepSeekModel` is one; tests drive the generator with small scripted predictors.
public protocol TokenPredictor: AnyObject {
    /// Appends `tokens` after the cached ones; returns the last token's logits, or every new token's.
    func forward(_ tokens: [Int], allLogits: Bool) throws -> [Float]
    /// Tokens already in the cache.
    var cachedTokens: Int { get }
    /// Forgets cached tokens from position `length` on.
    func truncateCache(to length: Int)
    /// Context shift: drops the cached tokens in `range` (clamped to what is cached) and moves the later
    /// ones back by its length, as if the shortened token sequence had been prefilled.
    func removeCachedTokens(in range: Range<Int>)
    /// Tokens the cache can hold.
    var contextSize: Int { get }
}

extension DeepSeekModel: TokenPredictor {}
