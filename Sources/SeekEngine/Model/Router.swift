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

    /// Buffers one routing decision works in (the model's `Workspace` holds them): `experts` floats
    /// each for scores and choice, `groups` for group scores and order, top-k + 1 chosen indices.
    struct Scratch {
        let scores: UnsafeMutablePointer<Float>
        let choice: UnsafeMutablePointer<Float>
        let groupScores: UnsafeMutablePointer<Float>
        let groupOrder: UnsafeMutablePointer<Int32>
        let chosen: UnsafeMutablePointer<Int32>
    }

    /// Picks experts from float32 router logits: writes top-k (expert, weight) pairs, best first, to
    /// `experts` and `weights`.
    func route(logits: UnsafePointer<Float>, experts chosenExperts: UnsafeMutablePointer<Int32>,
               weights: UnsafeMutablePointer<Float>, scratch: Scratch) {
        let scores = scratch.scores
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
        let choice = scratch.choice
        choice.update(from: scores, count: experts)
        if let bias = correctionBias { for e in 0..<experts { choice[e] += bias[e] } }

        if method != .greedy && groups > 1 {
            let perGroup = experts / groups
            for g in 0..<groups {
                let slice = choice + g * perGroup
                if method == .noAuxTC {
                    // Sum of each group's two best corrected scores.
                    let two = Router.topIndices(slice, count: perGroup, keep: min(2, perGroup), into: scratch.chosen)
                    var sum: Float = 0
                    for i in 0..<two { sum += slice[Int(scratch.chosen[i])] }
                    scratch.groupScores[g] = sum
                } else {
                    var best = -Float.infinity
                    for e in 0..<perGroup { best = max(best, slice[e]) }
                    scratch.groupScores[g] = best
                }
            }
            let kept = Router.topIndices(scratch.groupScores, count: groups, keep: topKGroups, into: scratch.groupOrder)
            // Experts of dropped groups are masked to 0.0, exactly as the reference's masked_fill does.
            for g in 0..<groups where !(0..<kept).contains(where: { Int(scratch.groupOrder[$0]) == g }) {
                for e in (g * perGroup)..<((g + 1) * perGroup) { choice[e] = 0 }
            }
        }
        let picked = Router.topIndices(choice, count: experts, keep: topK, into: chosenExperts)
        for i in 0..<picked { weights[i] = scores[Int(chosenExperts[i])] }
        if normalize && (topK > 1 || scaleAfterNormalizing) {
            var sum: Float = 0
            for i in 0..<picked { sum += weights[i] }
            let denominator = sum + 1e-20
            for i in 0..<picked {
                weights[i] /= denominator
                if scaleAfterNormalizing { weights[i] *= scalingFactor }
            }
        } else {
            for i in 0..<picked { weights[i] *= scalingFactor }
        }
    }

    /// Picks experts from float32 router logits. Returns (expert, weight) pairs, best first (allocates
    /// its scratch; the model routes through the workspace version).
    public func route(logits: UnsafePointer<Float>) -> [(expert: Int, weight: Float)] {
        func buffer<T: Numeric>(_ n: Int, _: T.Type) -> UnsafeMutablePointer<T> {
            let p = UnsafeMutablePointer<T>.allocate(capacity: max(1, n))
            p.initialize(repeating: 0, count: max(1, n))
            return p
        }
        let scratch = Scratch(scores: buffer(experts, Float.self), choice: buffer(experts, Float.self),
                              groupScores: buffer(groups, Float.self), groupOrder: buffer(groups, Int32.self),
                              chosen: buffer(topK + 1, Int32.self))
        let chosen = buffer(topK + 1, Int32.self), weights = buffer(topK + 1, Float.self)
        defer {
            [scratch.scores, scratch.choice, scratch.groupScores, weights].forEach { $0.deallocate() }
            [scratch.groupOrder, scratch.chosen, chosen].forEach { $0.deallocate() }
        }
        route(logits: logits, experts: chosen, weights: weights, scratch: scratch)
        return (0..<min(topK, experts)).map { (Int(chosen[$0]), weights[$0]) }
    }

    /// Writes the indices of the `keep` largest of `count` values to `out`, largest first (ties: lower
    /// index first); returns how many (min(keep, count)). `out` has room for keep + 1.
    static func topIndices(_ values: UnsafePointer<Float>, count: Int, keep: Int, into out: UnsafeMutablePointer<Int32>) -> Int {
        var n = 0
        for i in 0..<count {
            var pos = n
            while pos > 0 && values[Int(out[pos - 1])] < values[i] { pos -= 1 }
            if pos < keep {
                var j = min(n, keep - 1)
                while j > pos { out[j] = out[j - 1]; j -= 1 }
                out[pos] = Int32(i)
                n = min(n + 1, keep)
            }
        }
        return n
    }

    /// Indices of the `count` largest values, largest first (ties: lower index first).
    static func topIndices(_ values: [Float], count: Int) -> [Int] {
        var out = [Int32](repeating: 0, count: max(1, count))
        let n = values.withUnsafeBufferPointer { v in
            out.withUnsafeMutableBufferPointer { topIndices(v.baseAddress!, count: values.count, keep: count, into: $0.baseAddress!) }
        }
        return out.prefix(n).map(Int.init)
    }
}
