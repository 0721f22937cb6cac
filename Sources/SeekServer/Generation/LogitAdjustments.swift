import Foundation

/// OpenAI's presence and frequency penalties (applied before the sampler's own repeat penalty):
/// `logit[t] -= presence * (count[t] > 0) + frequency * count[t]` over the tokens generated so far.
struct LogitAdjustments {
    let presence: Float
    let frequency: Float
    private var counts: [Int: Int] = [:]

    init(presence: Float, frequency: Float) {
        self.presence = presence
        self.frequency = frequency
    }

    var isActive: Bool { presence != 0 || frequency != 0 }

    mutating func record(_ token: Int) {
        guard isActive else { return }
        counts[token, default: 0] += 1
    }

    func apply(to logits: inout [Float]) {
        guard isActive else { return }
        for (token, count) in counts where token >= 0 && token < logits.count {
            logits[token] -= presence + frequency * Float(count)
        }
    }
}

/// Log probabilities of a logits row (natural log, temperature 1, after the penalties), as OpenAI
/// reports them.
struct LogSoftmax {
    let logits: [Float]
    private let logNormalizer: Double

    init(_ logits: [Float]) {
        self.logits = logits
        var maximum = -Float.infinity
        for value in logits where value > maximum { maximum = value }
        var sum = 0.0
        for value in logits where value.isFinite { sum += exp(Double(value - maximum)) }
        logNormalizer = Double(maximum) + log(sum)
    }

    func logprob(of token: Int) -> Double {
        Double(logits[token]) - logNormalizer
    }

    /// The `count` most likely tokens, most likely first (ties to the lower id).
    func top(_ count: Int) -> [(token: Int, logprob: Double)] {
        guard count > 0 else { return [] }
        var best: [Int] = []
        best.reserveCapacity(count + 1)
        for id in logits.indices {
            let value = logits[id]
            guard !value.isNaN else { continue }
            if best.count == count, value <= logits[best[count - 1]] { continue }
            var index = best.count
            while index > 0, logits[best[index - 1]] < value { index -= 1 }
            best.insert(id, at: index)
            if best.count > count { best.removeLast() }
        }
        return best.map { ($0, logprob(of: $0)) }
    }
}
