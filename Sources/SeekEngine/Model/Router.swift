import Foundation

/// The DeepSeekMoE gate: which experts a token goes to and with what weight. The families differ only
/// here (V2: softmax + greedy or group-limited greedy; V3: sigmoid + bias-corrected group selection).
public struct Router: Sendable {
    public let experts: Int
    public let topK: Int
    public let method: TopKMethod
    public let scoring: ScoringFunction
    public let groups: Int
    public let topKGroups: Int
    public let normalize: Bool
    public let scalingFactor: Float
    /// DeepSeek-V2's remote code either normalises or scales; V3 normalises then scales.
    public let scaleAfterNormalizing: Bool
    /// noaux_tc: `e_score_correction_bias`, added for selection only.
    public let correctionBias: [Float]?

    public init(config c: ModelConfig, correctionBias: [Float]?) {
        experts = c.nRoutedExperts
        topK = c.numExpertsPerTok
        method = c.topkMethod
        scoring = c.scoringFunc
        groups = c.nGroup
        topKGroups = c.topkGroup
        normalize = c.normTopkProb
        scalingFactor = c.routedScalingFactor
        scaleAfterNormalizing = c.isV3Family
        self.correctionBias = correctionBias
    }

    /// Picks experts from float32 router logits. Returns (expert, weight) pairs, best first.
    public func route(logits: UnsafePointer<Float>) -> [(expert: Int, weight: Float)] {
        var scores = [Float](repeating: 0, count: experts)
        switch scoring {
        case .softmax:
            var m = -Float.infinity
            for e in 0..<experts { m = max(m, logits[e]) }
            var sum: Float = 0
            for e in 0..<experts { scores[e] = expf(logits[e] - m); sum += scores[e] }
            for e in 0..<experts { scores[e] /= sum }
        case .sigmoid:
            for e in 0..<experts { scores[e] = 1 / (1 + expf(-logits[e])) }
        }
        // Scores used to choose; weights always come from the uncorrected scores.
        var choice = scores
        if let bias = correctionBias { for e in 0..<experts { choice[e] += bias[e] } }

        if method != .greedy && groups > 1 {
            let perGroup = experts / groups
            let groupScores: [Float] = (0..<groups).map { g in
                let slice = choice[(g * perGroup)..<((g + 1) * perGroup)]
                if method == .noAuxTC {
                    // Sum of each group's two best corrected scores.
                    return Router.topIndices(Array(slice), count: min(2, perGroup)).reduce(0) { $0 + slice[slice.startIndex + $1] }
                }
                return slice.max()!
            }
            let keptGroups = Set(Router.topIndices(groupScores, count: topKGroups))
            // Experts of dropped groups are masked to 0.0, exactly as the reference's masked_fill does.
            for g in 0..<groups where !keptGroups.contains(g) {
                for e in (g * perGroup)..<((g + 1) * perGroup) { choice[e] = 0 }
            }
        }
        let chosen = Router.topIndices(choice, count: topK)
        var weights = chosen.map { scores[$0] }
        if normalize && (topK > 1 || scaleAfterNormalizing) {
            let denominator = weights.reduce(0, +) + 1e-20
            weights = weights.map { $0 / denominator }
            if scaleAfterNormalizing { weights = weights.map { $0 * scalingFactor } }
        } else {
            weights = weights.map { $0 * scalingFactor }
        }
        return zip(chosen, weights).map { ($0, $1) }
    }

    /// Indices of the `count` largest values, largest first (ties: lower index first).
    static func topIndices(_ values: [Float], count: Int) -> [Int] {
        var best: [Int] = []
        best.reserveCapacity(count + 1)
        for i in values.indices {
            var pos = best.count
            while pos > 0 && values[best[pos - 1]] < values[i] { pos -= 1 }
            if pos < count {
                best.insert(i, at: pos)
                if best.count > count { best.removeLast() }
            }
        }
        return best
    }
}
