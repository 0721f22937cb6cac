import Foundation

/// How the MoE router picks experts.
public enum TopKMethod: String, Sendable {
    /// Top-k over all experts (DeepSeek-V2-Lite). Some configs spell it "gready".
    case greedy
    /// Keep the best `topk_group` groups by their best expert, then top-k inside them (DeepSeek-V2).
    case groupLimitedGreedy = "group_limited_greedy"
    /// Sigmoid scores plus a correction bias for selection; groups ranked by their top-2 sum (DeepSeek-V3).
    case noAuxTC = "noaux_tc"
}

public enum ScoringFunction: String, Sendable { case softmax, sigmoid }

/// YaRN context extension, as DeepSeek's `rope_scaling` describes it.
public struct YarnScaling: Sendable, Equatable {
    public var factor: Double
    public var originalMaxPositionEmbeddings: Int
    public var betaFast: Double
    public var betaSlow: Double
    public var mscale: Double
    public var mscaleAllDim: Double
}

/// Every config.json field that changes the math, in DeepSeek's original format.
public struct ModelConfig: Sendable {
    public var modelType: String
    public var vocabSize: Int
    public var hiddenSize: Int
    public var numHiddenLayers: Int
    public var numAttentionHeads: Int
    public var qLoraRank: Int?
    public var kvLoraRank: Int
    public var qkNopeHeadDim: Int
    public var qkRopeHeadDim: Int
    public var vHeadDim: Int
    public var intermediateSize: Int
    public var moeIntermediateSize: Int
    public var nRoutedExperts: Int
    public var nSharedExperts: Int
    public var numExpertsPerTok: Int
    public var firstKDenseReplace: Int
    public var moeLayerFreq: Int
    public var topkMethod: TopKMethod
    public var nGroup: Int
    public var topkGroup: Int
    public var normTopkProb: Bool
    public var routedScalingFactor: Float
    public var scoringFunc: ScoringFunction
    public var rmsNormEps: Float
    public var ropeTheta: Double
    public var ropeScaling: YarnScaling?
    public var maxPositionEmbeddings: Int
    public var bosTokenId: Int?
    public var eosTokenIds: [Int]
    public var tieWordEmbeddings: Bool
    /// Multi-token-prediction layers stored after the main layers (DeepSeek-V3); seek skips them.
    public var numNextNPredictLayers: Int

    public var qHeadDim: Int { qkNopeHeadDim + qkRopeHeadDim }
    /// Values cached per token per layer: the compressed latent plus the shared rope key.
    public var latentDim: Int { kvLoraRank + qkRopeHeadDim }
    public var isV3Family: Bool { modelType == "deepseek_v3" }

    /// Whether layer `i` uses the mixture of experts (the others use a dense MLP).
    public func isMoELayer(_ i: Int) -> Bool {
        nRoutedExperts > 0 && i >= firstKDenseReplace && i % max(moeLayerFreq, 1) == 0
    }

    public static func load(path: String) throws -> ModelConfig {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SeekError("\(path): cannot read (is this a model folder?)")
        }
        guard let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw SeekError("\(path): not a JSON object")
        }
        return try ModelConfig(json: json, file: path)
    }

    public init(json: [String: Any], file: String = "config.json") throws {
        let r = FieldReader(json: json, file: file)
        modelType = try r.string("model_type")
        guard modelType == "deepseek_v2" || modelType == "deepseek_v3" else {
            throw SeekError("\(file): model_type '\(modelType)' is not supported (seek runs deepseek_v2 and deepseek_v3)")
        }
        if let act = json["hidden_act"] as? String, act != "silu" {
            throw SeekError("\(file): hidden_act '\(act)' is not supported (only silu)")
        }
        if let bias = json["attention_bias"] as? Bool, bias {
            throw SeekError("\(file): attention_bias true is not supported")
        }
        if let q = json["quantization_config"] as? [String: Any] {
            let method = q["quant_method"] as? String ?? "unknown"
            throw SeekError("\(file): quantization_config (\(method)) is not supported: use the bf16 checkpoint (seek quantizes itself with --quant)")
        }
        vocabSize = try r.int("vocab_size")
        hiddenSize = try r.int("hidden_size")
        numHiddenLayers = try r.int("num_hidden_layers")
        numAttentionHeads = try r.int("num_attention_heads")
        qLoraRank = try r.optionalInt("q_lora_rank")
        kvLoraRank = try r.int("kv_lora_rank")
        qkNopeHeadDim = try r.int("qk_nope_head_dim")
        qkRopeHeadDim = try r.int("qk_rope_head_dim")
        vHeadDim = try r.int("v_head_dim")
        intermediateSize = try r.int("intermediate_size")
        nRoutedExperts = try r.optionalInt("n_routed_experts") ?? 0
        moeIntermediateSize = try r.optionalInt("moe_intermediate_size") ?? intermediateSize
        nSharedExperts = try r.optionalInt("n_shared_experts") ?? 0
        numExpertsPerTok = try r.optionalInt("num_experts_per_tok") ?? 0
        firstKDenseReplace = try r.optionalInt("first_k_dense_replace") ?? 0
        moeLayerFreq = try r.optionalInt("moe_layer_freq") ?? 1
        let method = (json["topk_method"] as? String) ?? (modelType == "deepseek_v3" ? "noaux_tc" : "greedy")
        switch method {
        case "greedy", "gready": topkMethod = .greedy
        case "group_limited_greedy": topkMethod = .groupLimitedGreedy
        case "noaux_tc": topkMethod = .noAuxTC
        default: throw SeekError("\(file): topk_method '\(method)' is not supported (greedy, group_limited_greedy, noaux_tc)")
        }
        nGroup = try r.optionalInt("n_group") ?? 1
        topkGroup = try r.optionalInt("topk_group") ?? 1
        normTopkProb = (json["norm_topk_prob"] as? Bool) ?? false
        routedScalingFactor = Float(try r.optionalDouble("routed_scaling_factor") ?? 1.0)
        let scoring = (json["scoring_func"] as? String) ?? (modelType == "deepseek_v3" ? "sigmoid" : "softmax")
        guard let sf = ScoringFunction(rawValue: scoring) else {
            throw SeekError("\(file): scoring_func '\(scoring)' is not supported (softmax, sigmoid)")
        }
        scoringFunc = sf
        rmsNormEps = Float(try r.optionalDouble("rms_norm_eps") ?? 1e-6)
        ropeTheta = try r.optionalDouble("rope_theta") ?? 10000
        maxPositionEmbeddings = try r.optionalInt("max_position_embeddings") ?? 4096
        tieWordEmbeddings = (json["tie_word_embeddings"] as? Bool) ?? false
        numNextNPredictLayers = try r.optionalInt("num_nextn_predict_layers") ?? 0
        bosTokenId = try r.optionalInt("bos_token_id")
        if let list = json["eos_token_id"] as? [Any] {
            eosTokenIds = list.compactMap { ($0 as? NSNumber)?.intValue }
        } else {
            eosTokenIds = (try r.optionalInt("eos_token_id")).map { [$0] } ?? []
        }

        if let rs = json["rope_scaling"], !(rs is NSNull) {
            guard let s = rs as? [String: Any] else { throw SeekError("\(file): rope_scaling must be an object or null") }
            let type = (s["type"] as? String) ?? (s["rope_type"] as? String) ?? "missing"
            guard type == "yarn" else {
                throw SeekError("\(file): rope_scaling type '\(type)' is not supported (only yarn)")
            }
            let sr = FieldReader(json: s, file: file, prefix: "rope_scaling.")
            ropeScaling = YarnScaling(
                factor: try sr.double("factor"),
                originalMaxPositionEmbeddings: try sr.int("original_max_position_embeddings"),
                betaFast: try sr.optionalDouble("beta_fast") ?? 32,
                betaSlow: try sr.optionalDouble("beta_slow") ?? 1,
                mscale: try sr.optionalDouble("mscale") ?? 1,
                mscaleAllDim: try sr.optionalDouble("mscale_all_dim") ?? 0)
        } else {
            ropeScaling = nil
        }
        try validate(file: file)
    }

    private func validate(file: String) throws {
        func positive(_ v: Int, _ name: String) throws {
            guard v > 0 else { throw SeekError("\(file): \(name) must be positive, got \(v)") }
        }
        try positive(vocabSize, "vocab_size"); try positive(hiddenSize, "hidden_size")
        try positive(numHiddenLayers, "num_hidden_layers"); try positive(numAttentionHeads, "num_attention_heads")
        try positive(kvLoraRank, "kv_lora_rank"); try positive(qkRopeHeadDim, "qk_rope_head_dim")
        try positive(vHeadDim, "v_head_dim")
        guard qkRopeHeadDim % 2 == 0 else { throw SeekError("\(file): qk_rope_head_dim must be even, got \(qkRopeHeadDim)") }
        if let q = qLoraRank { try positive(q, "q_lora_rank") }
        if nRoutedExperts > 0 {
            guard numExpertsPerTok > 0, numExpertsPerTok <= nRoutedExperts else {
                throw SeekError("\(file): num_experts_per_tok \(numExpertsPerTok) must be in 1...n_routed_experts (\(nRoutedExperts))")
            }
            if topkMethod != .greedy {
                guard nGroup > 0, nRoutedExperts % nGroup == 0, topkGroup >= 1, topkGroup <= nGroup else {
                    throw SeekError("\(file): n_group \(nGroup) / topk_group \(topkGroup) do not divide n_routed_experts \(nRoutedExperts)")
                }
                guard topkGroup * (nRoutedExperts / nGroup) >= numExpertsPerTok else {
                    throw SeekError("\(file): topk_group \(topkGroup) groups hold fewer experts than num_experts_per_tok \(numExpertsPerTok)")
                }
            }
            if topkMethod == .noAuxTC && scoringFunc != .sigmoid {
                throw SeekError("\(file): topk_method noaux_tc needs scoring_func sigmoid")
            }
        }
        if let y = ropeScaling {
            guard y.factor > 0, y.originalMaxPositionEmbeddings > 0 else {
                throw SeekError("\(file): rope_scaling factor and original_max_position_embeddings must be positive")
            }
        }
    }
}

/// Reads typed fields from a JSON object with errors that name the field.
private struct FieldReader {
    let json: [String: Any]
    let file: String
    var prefix = ""

    private func number(_ key: String) throws -> NSNumber? {
        guard let v = json[key], !(v is NSNull) else { return nil }
        guard let n = v as? NSNumber else {
            throw SeekError("\(file): \(prefix)\(key) must be a number, got \(v)")
        }
        return n
    }

    func optionalInt(_ key: String) throws -> Int? {
        guard let n = try number(key) else { return nil }
        let d = n.doubleValue
        guard d == d.rounded() else { throw SeekError("\(file): \(prefix)\(key) must be an integer, got \(n)") }
        // Sizes and ids of real models are far below 2^24; larger values would only overflow products.
        guard abs(d) <= Double(1 << 24) else { throw SeekError("\(file): \(prefix)\(key) = \(n) is out of range") }
        return Int(d)
    }

    func int(_ key: String) throws -> Int {
        guard let v = try optionalInt(key) else { throw SeekError("\(file): required field \(prefix)\(key) is missing") }
        return v
    }

    func optionalDouble(_ key: String) throws -> Double? { try number(key)?.doubleValue }

    func double(_ key: String) throws -> Double {
        guard let v = try optionalDouble(key) else { throw SeekError("\(file): required field \(prefix)\(key) is missing") }
        return v
    }

    func string(_ key: String) throws -> String {
        guard let s = json[key] as? String else { throw SeekError("\(file): required field \(prefix)\(key) is missing or not a string") }
        return s
    }
}

extension ModelConfig {
    /// One line naming the family and how experts are routed, for `--verbose` and `/show`.
    public var familySummary: String {
        let family = isV3Family ? "DeepSeek-V3 family (deepseek_v3)" : "DeepSeek-V2 family (deepseek_v2)"
        guard nRoutedExperts > 0 else { return "\(family), dense" }
        var routing: String
        switch topkMethod {
        case .greedy: routing = "greedy top-\(numExpertsPerTok)"
        case .groupLimitedGreedy: routing = "group-limited greedy top-\(numExpertsPerTok) (\(topkGroup) of \(nGroup) groups)"
        case .noAuxTC: routing = "noaux_tc top-\(numExpertsPerTok) with bias correction (\(topkGroup) of \(nGroup) groups by top-2 sum)"
        }
        routing += " of \(nRoutedExperts) experts, \(scoringFunc.rawValue) scores"
        if normTopkProb { routing += ", normalized" }
        if routedScalingFactor != 1 { routing += ", scaled ×\(routedScalingFactor)" }
        if nSharedExperts > 0 { routing += ", \(nSharedExperts) shared" }
        return "\(family); MoE: \(routing)"
    }
}

extension ModelConfig {
    /// Floating-point operations (2 per multiply-add) of the weight matrices one token passes through,
    /// lm_head excluded: attention projections (absorbed form), shared + top-k routed experts or the
    /// dense MLP, and the router.
    public var matrixFLOPsPerToken: Double {
        let h = hiddenSize, heads = numAttentionHeads
        var attention = qLoraRank.map { h * $0 + $0 * heads * qHeadDim } ?? h * heads * qHeadDim
        attention += h * latentDim + heads * vHeadDim * h
        attention += heads * qkNopeHeadDim * kvLoraRank + heads * kvLoraRank * vHeadDim
        var total = 0
        for i in 0..<numHiddenLayers {
            total += attention
            if isMoELayer(i) {
                total += 3 * h * moeIntermediateSize * (numExpertsPerTok + nSharedExperts) + h * nRoutedExperts
            } else {
                total += 3 * h * intermediateSize
            }
        }
        return 2 * Double(total)
    }

    /// Operations of a prefill of `tokens` tokens from an empty cache: the matrices, attention over the
    /// latent cache (scores and weighted sum, all layers), and the lm_head for the last token.
    public func prefillFLOPs(tokens n: Int, after depth: Int = 0) -> Double {
        let attentionPerKey = 2.0 * Double(numAttentionHeads * (latentDim + kvLoraRank) * numHiddenLayers)
        let keys = Double(n) * Double(n + 1) / 2 + Double(n) * Double(depth)
        return Double(n) * matrixFLOPsPerToken + attentionPerKey * keys + 2 * Double(vocabSize * hiddenSize)
    }
}
