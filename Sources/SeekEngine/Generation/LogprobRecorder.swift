import Foundation

/// Log-probabilities of the tokens a `Sampler` picks, from the distribution it picked them from: the
/// logits after the repeat penalty, cut to the top-k / top-p / min-p candidates and divided by the
/// temperature when sampling (ids outside the candidates have probability 0 and are never listed);
/// greedy decoding takes the maximum of the penalized logits, so its distribution is their softmax at
/// temperature 1. For each token: its own log-probability and the `top` most likely ids'.
///
/// A reference the sampler and its caller share (the sampler is a value passed `inout` to the
/// generator); one generation at a time uses it.
public final class LogprobRecorder: @unchecked Sendable {
    public struct Alternative: Equatable, Sendable {
        public var id: Int
        public var logprob: Float
    }

    public struct Entry: Equatable, Sendable {
        /// The chosen token.
        public var id: Int
        public var logprob: Float
        /// The `top` most likely tokens, most likely first (the chosen one among them when it is).
        public var top: [Alternative]
    }

    /// How many alternatives each entry lists.
    public let top: Int
    public private(set) var entries: [Entry] = []

    public init(top: Int) { self.top = max(0, top) }

    public func removeAll() { entries.removeAll(keepingCapacity: true) }

    /// A greedy choice: softmax of all (penalized) logits.
    func recordGreedy(_ token: Int, logits: [Float]) {
        var largest = -Float.infinity
        for value in logits where value > largest { largest = value }
        var sum = 0.0
        for value in logits where value > -Float.infinity { sum += exp(Double(value - largest)) }
        let normalizer = Double(largest) + log(sum)
        func logprob(_ id: Int) -> Float { Float(Double(logits[id]) - normalizer) }
        let alternatives = top > 0 ? Sampler.best(logits, k: top).prefix(top).map { Alternative(id: $0, logprob: logprob($0)) } : []
        entries.append(Entry(id: token, logprob: logprob(token), top: alternatives))
    }

    /// A sampled choice among `candidates` (highest first) with their `probabilities` at the temperature.
    func record(_ token: Int, candidates: [Int], probabilities: [Double]) {
        let chosen = candidates.firstIndex(of: token).map { Float(log(probabilities[$0])) } ?? -.infinity
        let alternatives = zip(candidates, probabilities).prefix(top).map { Alternative(id: $0, logprob: Float(log($1))) }
        entries.append(Entry(id: token, logprob: chosen, top: alternatives))
    }
}
