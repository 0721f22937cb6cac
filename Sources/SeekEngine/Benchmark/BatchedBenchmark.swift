import Foundation

extension Benchmark {
    public struct BatchedResult: Sendable {
        public var sequences: Int
        /// Decode steps timed (each one token of every sequence).
        public var steps: Int
        public var decodeSeconds: Double
        /// Tokens per second over all sequences together.
        public var aggregateTokensPerSecond: Double { Double(sequences * steps) / decodeSeconds }
        /// Tokens per second each sequence sees.
        public var perSequenceTokensPerSecond: Double { Double(steps) / decodeSeconds }
    }

    /// Continuous-batching decode speed: `sequences` sequences each prefill `promptTokens` pseudo-random
    /// tokens, then decode `generateTokens` tokens greedily together, one forward pass per step.
    public static func runBatched(model: DeepSeekModel, sequences: Int, promptTokens: Int, generateTokens: Int,
                                  seed: UInt64 = 1) throws -> BatchedResult {
        var state = seed | 1
        let vocab = min(model.config.vocabSize, 100_000)
        func randomToken() -> Int {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17
            return Int(state % UInt64(vocab))
        }
        let ids = try (0..<sequences).map { _ in try model.makeSequence() }
        defer { ids.forEach(model.releaseSequence) }
        let prompts = ids.map { SequenceStep(sequence: $0, tokens: (0..<max(1, promptTokens)).map { _ in randomToken() }) }
        var next = try model.forward(prompts).map(Sampler.argmax)
        // One untimed step, so every buffer of this batch size has been touched once.
        next = try model.forward(zip(ids, next).map { SequenceStep(sequence: $0, tokens: [$1]) }).map(Sampler.argmax)
        let start = Date()
        for _ in 0..<generateTokens {
            next = try model.forward(zip(ids, next).map { SequenceStep(sequence: $0, tokens: [$1]) }).map(Sampler.argmax)
        }
        return BatchedResult(sequences: sequences, steps: generateTokens, decodeSeconds: Date().timeIntervalSince(start))
    }
}
