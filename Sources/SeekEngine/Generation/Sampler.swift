import Foundation

/// Picks the next token from a row of logits: repeat penalty, then top-k, top-p, min-p (filters computed
/// on the untempered distribution, as llama.cpp does), then temperature and a draw from a seeded stream.
public struct Sampler: Sendable {
    public private(set) var parameters: SamplingParameters
    private var random: SeededRandom
    /// The logits with the repeat penalty applied, reused from token to token (no allocation per token).
    private var penalized: [Float] = []
    /// When set, hears each choice with its log-probability and the most likely alternatives' (`--logprobs`).
    public var recorder: LogprobRecorder?

    public init(_ parameters: SamplingParameters) {
        self.parameters = parameters
        random = SeededRandom(seed: parameters.seed)
    }

    /// Changes the parameters; a new seed restarts the random stream.
    public mutating func update(_ newParameters: SamplingParameters) {
        if newParameters.seed != parameters.seed { random = SeededRandom(seed: newParameters.seed) }
        parameters = newParameters
    }

    /// Restarts the random stream from the seed, so the next reply repeats the first one's draws.
    public mutating func restart() { random = SeededRandom(seed: parameters.seed) }

    /// The next token id. `recentTokens` are the tokens before it (prompt and reply so far); only the
    /// last `repeatLastN` of them are penalized.
    public mutating func sample(logits: [Float], recentTokens: [Int] = []) -> Int {
        precondition(!logits.isEmpty, "sampling needs at least one logit")
        let penalty = parameters.repeatPenalty
        guard penalty != 1, penalty > 0, parameters.repeatLastN > 0, !recentTokens.isEmpty else {
            return choose(from: logits)
        }
        // Taken out of self while in use, so it is uniquely referenced and filled in place.
        var buffer = penalized
        penalized = []
        buffer.removeAll(keepingCapacity: true)
        buffer.append(contentsOf: logits)
        applyRepeatPenalty(to: &buffer, from: logits, recentTokens: recentTokens)
        let token = choose(from: buffer)
        penalized = buffer
        return token
    }

    private mutating func choose(from logits: [Float]) -> Int {
        if parameters.isGreedy {
            let token = Sampler.argmax(logits)
            recorder?.recordGreedy(token, logits: logits)
            return token
        }
        var candidates = topCandidates(logits)
        candidates = Sampler.topP(candidates, logits: logits, p: parameters.topP)
        candidates = Sampler.minP(candidates, logits: logits, minP: parameters.minP)
        let (token, probabilities) = draw(from: candidates, logits: logits)
        recorder?.record(token, candidates: candidates, probabilities: probabilities)
        return token
    }

    /// The position of the largest logit (counted from the start of `logits`, a row or a slice of a
    /// longer array); ties go to the lowest position and NaN never wins.
    public static func argmax(_ logits: some Collection<Float>) -> Int {
        var best = 0
        var bestValue = -Float.infinity
        for (i, value) in logits.enumerated() where value > bestValue {
            best = i
            bestValue = value
        }
        return best
    }

    /// Penalizes each id in the window once: an id whose value still equals the original has not been
    /// penalized yet (penalizing a 0 leaves it 0, so doing it twice changes nothing either).
    private func applyRepeatPenalty(to logits: inout [Float], from original: [Float], recentTokens: [Int]) {
        let penalty = parameters.repeatPenalty
        for id in recentTokens.suffix(parameters.repeatLastN) where id >= 0 && id < logits.count && logits[id] == original[id] {
            logits[id] = logits[id] > 0 ? logits[id] / penalty : logits[id] * penalty
        }
    }

    /// Token ids sorted by logit (highest first, ties by id), cut to top-k when it is on.
    func topCandidates(_ logits: [Float]) -> [Int] {
        Sampler.best(logits, k: parameters.topK)
    }

    /// The ids of the `k` largest logits, highest first (ties by id); every usable id when k is 0 or
    /// at least the vocabulary.
    static func best(_ logits: [Float], k: Int) -> [Int] {
        guard k > 0, k < logits.count else {
            let usable = logits.indices.filter { !logits[$0].isNaN && logits[$0] > -Float.infinity }
            if usable.isEmpty { return [Sampler.argmax(logits)] }
            return usable.sorted { a, b in logits[a] != logits[b] ? logits[a] > logits[b] : a < b }
        }
        // One pass keeping the k best in a small sorted array. Once it is full, a logit must beat the
        // k-th best to enter (an equal one has a higher id, so it ranks below), which rejects nearly
        // every entry of a 100k vocabulary with one comparison; NaN and -inf never pass.
        var best: [Int] = []
        best.reserveCapacity(k + 1)
        logits.withUnsafeBufferPointer { p in
            var threshold = -Float.infinity
            for id in 0..<p.count {
                let value = p[id]
                guard value > threshold else { continue }
                var low = 0, high = best.count
                while low < high {
                    let mid = (low + high) / 2
                    let other = p[best[mid]]
                    if other > value || (other == value && best[mid] < id) { low = mid + 1 } else { high = mid }
                }
                best.insert(id, at: low)
                if best.count > k { best.removeLast() }
                if best.count == k { threshold = p[best[k - 1]] }
            }
        }
        return best.isEmpty ? [Sampler.argmax(logits)] : best
    }

    /// Probabilities of sorted candidates at temperature 1, renormalized over them.
    private static func probabilities(_ candidates: [Int], logits: [Float], temperature: Float = 1) -> [Double] {
        let top = Double(logits[candidates[0]])
        let weights = candidates.map { exp((Double(logits[$0]) - top) / Double(temperature)) }
        let total = weights.reduce(0, +)
        return weights.map { $0 / total }
    }

    private static func topP(_ candidates: [Int], logits: [Float], p: Float) -> [Int] {
        guard p < 1, candidates.count > 1 else { return candidates }
        let probabilities = probabilities(candidates, logits: logits)
        var cumulative = 0.0
        for (i, probability) in probabilities.enumerated() {
            cumulative += probability
            if cumulative >= Double(p) { return Array(candidates[...i]) }
        }
        return candidates
    }

    private static func minP(_ candidates: [Int], logits: [Float], minP: Float) -> [Int] {
        guard minP > 0, candidates.count > 1 else { return candidates }
        // p_i >= minP * p_max  <=>  logit_i >= logit_max + ln(minP)
        let threshold = logits[candidates[0]] + log(minP)
        let kept = candidates.prefix { logits[$0] >= threshold }
        return kept.isEmpty ? [candidates[0]] : Array(kept)
    }

    /// A draw from the candidates' probabilities at the temperature; returns them too.
    private mutating func draw(from candidates: [Int], logits: [Float]) -> (token: Int, probabilities: [Double]) {
        guard candidates.count > 1 else { return (candidates[0], [1]) }
        let probabilities = Sampler.probabilities(candidates, logits: logits, temperature: parameters.temperature)
        let target = random.nextUnitInterval()
        var cumulative = 0.0
        for (i, probability) in probabilities.enumerated() {
            cumulative += probability
            if target < cumulative { return (candidates[i], probabilities) }
        }
        return (candidates[candidates.count - 1], probabilities)  // rounding left the sum just under 1
    }
}
