import Foundation

/// Runs the prefill + decode loop on a model and keeps track of what its KV cache holds, so that a
/// conversation re-sending its whole history only computes the tokens that are new.
public final class Generator {
    public let model: any TokenPredictor
    /// Ids that end generation (the model's end-of-sequence tokens); they are not part of the reply.
    public var stopTokenIds: Set<Int>
    /// Prompt tokens per forward call during prefill: bounds memory and lets Ctrl-C stop a long prefill.
    public var prefillChunkSize = 512
    /// The ids whose keys and values are in the model's cache, in order.
    public private(set) var cachedIds: [Int] = []

    public init(model: any TokenPredictor, stopTokenIds: Set<Int>) {
        self.model = model
        self.stopTokenIds = stopTokenIds
        model.truncateCache(to: 0)
    }

    /// Empties the cache (a new conversation).
    public func reset() {
        model.truncateCache(to: 0)
        cachedIds.removeAll()
    }

    /// Generates a continuation of `prompt`.
    ///
    /// The longest prefix of `prompt` already in the cache is reused; the rest is prefilled. Then tokens
    /// are sampled one by one until a stop token, `maxTokens` (negative: no limit), a full context, the
    /// callback returning `.stop`, or `isCancelled` (checked between forward passes) returning true.
    public func generate(prompt: [Int], maxTokens: Int, sampler: inout Sampler,
                         isCancelled: () -> Bool = { false },
                         onToken: (Int) throws -> TokenDecision) throws -> GenerationResult {
        guard !prompt.isEmpty else { throw GenerationError.emptyPrompt }
        guard prompt.count <= model.contextSize else {
            throw ContextError.promptTooLong(tokens: prompt.count, capacity: model.contextSize)
        }
        var stats = GenerationStats()
        stats.promptTokens = prompt.count
        let clock = ContinuousClock()
        let start = clock.now
        func since(_ instant: ContinuousClock.Instant) -> Double {
            let elapsed = instant.duration(to: clock.now).components
            return Double(elapsed.seconds) + Double(elapsed.attoseconds) * 1e-18
        }

        // The last prompt token is always fed again: its logits are what the first sample needs.
        let reused = rewindCache(toPrefixOf: prompt, keepingAtMost: prompt.count - 1)
        stats.reusedPromptTokens = reused
        var logits: [Float] = []
        var position = reused
        while position < prompt.count {
            if isCancelled() { return GenerationResult(tokens: [], finishReason: .cancelled, stats: stats) }
            let chunk = Array(prompt[position..<min(position + prefillChunkSize, prompt.count)])
            logits = try model.forward(chunk, allLogits: false)
            cachedIds += chunk
            position += chunk.count
        }
        try Generator.checkFinite(logits, position: position - 1)
        stats.prefillSeconds = since(start)
        if maxTokens == 0 {  // nothing asked for: not even the first sample
            return GenerationResult(tokens: [], finishReason: .length, stats: stats)
        }

        var history = prompt
        var generated: [Int] = []
        var finish = FinishReason.length
        while true {
            if isCancelled() { finish = .cancelled; break }
            let token = sampler.sample(logits: logits, recentTokens: history)
            if generated.isEmpty { stats.timeToFirstToken = since(start) }
            if stopTokenIds.contains(token) { finish = .stop; break }
            generated.append(token)
            history.append(token)
            if try onToken(token) == .stop { finish = .stop; break }
            if maxTokens >= 0, generated.count >= maxTokens { finish = .length; break }
            if model.cachedTokens >= model.contextSize { finish = .length; break }
            let stepStart = clock.now
            logits = try model.forward([token], allLogits: false)
            cachedIds.append(token)
            try Generator.checkFinite(logits, position: cachedIds.count - 1)
            stats.decodeSeconds += since(stepStart)
            stats.decodeSteps += 1
        }
        stats.generatedTokens = generated.count
        return GenerationResult(tokens: generated, finishReason: finish, stats: stats)
    }

    /// Throws `GenerationError.nonFiniteLogits` when a logit is NaN or infinite (NaN weights, a broken
    /// config): sampling from them would quietly return token 0 over and over. One pass that
    /// vectorizes: x * 0 is 0 for every finite x and NaN otherwise.
    static func checkFinite(_ logits: [Float], position: Int) throws {
        var sum: Float = 0
        logits.withUnsafeBufferPointer { for x in $0 { sum += x * 0 } }
        guard sum == 0 else { throw GenerationError.nonFiniteLogits(position: position) }
    }

    /// Context shift: drops the cached tokens in `range` and moves the later ones back (the model
    /// rotates their cached keys instead of recomputing them), so a conversation that outgrew the
    /// context can go on from `cachedIds` with the range removed.
    public func removeCachedTokens(in range: Range<Int>) {
        if model.cachedTokens != cachedIds.count { reset(); return }
        let lower = max(0, min(range.lowerBound, cachedIds.count))
        let upper = max(lower, min(range.upperBound, cachedIds.count))
        model.removeCachedTokens(in: lower..<upper)
        cachedIds.removeSubrange(lower..<upper)
    }

    /// Truncates the cache to the longest common prefix of what it holds and `prompt` (at most `limit`
    /// tokens) and returns that length.
    private func rewindCache(toPrefixOf prompt: [Int], keepingAtMost limit: Int) -> Int {
        if model.cachedTokens != cachedIds.count { reset() }  // someone else moved the cache: trust nothing
        var common = 0
        let bound = min(limit, cachedIds.count)
        while common < bound, cachedIds[common] == prompt[common] { common += 1 }
        model.truncateCache(to: common)
        cachedIds.removeSubrange(common...)
        return common
    }
}
