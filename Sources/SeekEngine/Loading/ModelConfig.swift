import Foundation
import SeekJSON

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
        let data = try RegularFile.read(path, limit: RegularFile.smallFileLimit)
        guard case .object(let json)? = try? JSONParser.parse([UInt8](data)) else {
            throw ConfigError(file: path, problem: .notJSONObject)
        }
        return try ModelConfig(json: json, file: path)
    }

    public init(json: JSONObject, file: String = "config.json") throws {
        let r = FieldReader(json: json, file: file)
        modelType = try r.string("model_type")
        guard modelType == "deepseek_v2" || modelType == "deepseek_v3" else {
            throw ConfigError(file: file, field: "model_type",
                              problem: .unsupported(value: modelType, supported: "seek runs deepseek_v2 and deepseek_v3"))
        }
        if let act = try r.optionalString("hidden_act"), act != "silu" {
            throw ConfigError(file: file, field: "hidden_act", problem: .unsupported(value: act, supported: "only silu"))
        }
        if try r.optionalBool("attention_bias") == true {
            throw ConfigError(file: file, field: "attention_bias", problem: .unsupported(value: "true", supported: nil))
        }
        if case .object(let q)? = json["quantization_config"] {
            let method = q["quant_method"]?.stringValue ?? "unknown"
            throw ConfigError(file: file, field: "quantization_config", problem: .quantizedCheckpoint(method: method))
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
        let method = try r.optionalString("topk_method") ?? (modelType == "deepseek_v3" ? "noaux_tc" : "greedy")
        switch method {
        case "greedy", "gready": topkMethod = .greedy
        case "group_limited_greedy": topkMethod = .groupLimitedGreedy
        case "noaux_tc": topkMethod = .noAuxTC
        default: throw ConfigError(file: file, field: "topk_method",
                                    problem: .unsupported(value: method, supported: "greedy, group_limited_greedy, noaux_tc"))
        }
        nGroup = try r.optionalInt("n_group") ?? 1
        topkGroup = try r.optionalInt("topk_group") ?? 1
        normTopkProb = try r.optionalBool("norm_topk_prob") ?? false
        routedScalingFactor = Float(try r.optionalDouble("routed_scaling_factor") ?? 1.0)
        let scoring = try r.optionalString("scoring_func") ?? (modelType == "deepseek_v3" ? "sigmoid" : "softmax")
        guard let sf = ScoringFunction(rawValue: scoring) else {
            throw ConfigError(file: file, field: "scoring_func", problem: .unsupported(value: scoring, supported: "softmax, sigmoid"))
        }
        scoringFunc = sf
        rmsNormEps = Float(try r.optionalDouble("rms_norm_eps") ?? 1e-6)
        ropeTheta = try r.optionalDouble("rope_theta") ?? 10000
        maxPositionEmbeddings = try r.optionalInt("max_position_embeddings") ?? 4096
        tieWordEmbeddings = try r.optionalBool("tie_word_embeddings") ?? false
        numNextNPredictLayers = try r.optionalInt("num_nextn_predict_layers") ?? 0
        bosTokenId = try r.optionalInt("bos_token_id")
        if case .array(let list)? = json["eos_token_id"] {
            // Every entry must be an id: dropping one would let generation run past that end token.
            eosTokenIds = try list.map { try FieldReader(json: ["eos_token_id": $0], file: file).int("eos_token_id") }
        } else {
            eosTokenIds = (try r.optionalInt("eos_token_id")).map { [$0] } ?? []
        }

        if let rs = json["rope_scaling"], rs != .null {
            guard case .object(let s) = rs else { throw ConfigError(file: file, field: "rope_scaling", problem: .notAnObjectOrNull) }
            let sr = FieldReader(json: s, file: file, prefix: "rope_scaling.")
            let type = try sr.optionalString("type") ?? sr.optionalString("rope_type") ?? "missing"
            guard type == "yarn" else {
                throw ConfigError(file: file, field: "rope_scaling type", problem: .unsupported(value: type, supported: "only yarn"))
            }
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

    /// Refuses every value that would make the math meaningless or size something absurdly, naming the
    /// field: non-positive sizes, negative counts, eps or theta ≤ 0, ids outside the vocabulary.
    private func validate(file: String) throws {
        func positive(_ v: Int, _ name: String) throws {
            guard v > 0 else { throw ConfigError(file: file, field: name, problem: .notPositive(value: v)) }
        }
        func nonNegative(_ v: Int, _ name: String) throws {
            guard v >= 0 else { throw ConfigError(file: file, field: name, problem: .negative(value: v)) }
        }
        func positive(_ v: Double, _ name: String) throws {
            guard v > 0, v.isFinite else { throw ConfigError(file: file, field: name, problem: .notPositiveNumber(value: "\(v)")) }
        }
        func finite(_ v: Double, _ name: String) throws {
            guard v.isFinite else { throw ConfigError(file: file, field: name, problem: .notFinite(value: "\(v)")) }
        }
        func tokenId(_ id: Int, _ name: String) throws {
            guard id >= 0, id < vocabSize else {
                throw ConfigError(file: file, field: name, problem: .idOutsideVocabulary(id: id, vocabularySize: vocabSize))
            }
        }
        try positive(vocabSize, "vocab_size"); try positive(hiddenSize, "hidden_size")
        try positive(numHiddenLayers, "num_hidden_layers"); try positive(numAttentionHeads, "num_attention_heads")
        try positive(kvLoraRank, "kv_lora_rank"); try positive(qkRopeHeadDim, "qk_rope_head_dim")
        try nonNegative(qkNopeHeadDim, "qk_nope_head_dim")
        try positive(vHeadDim, "v_head_dim")
        try positive(intermediateSize, "intermediate_size")
        try positive(maxPositionEmbeddings, "max_position_embeddings")
        try nonNegative(nRoutedExperts, "n_routed_experts")
        try nonNegative(nSharedExperts, "n_shared_experts")
        try nonNegative(numExpertsPerTok, "num_experts_per_tok")
        try nonNegative(firstKDenseReplace, "first_k_dense_replace")
        try positive(moeLayerFreq, "moe_layer_freq")
        try nonNegative(numNextNPredictLayers, "num_nextn_predict_layers")
        try positive(nGroup, "n_group")
        try positive(topkGroup, "topk_group")
        try positive(Double(rmsNormEps), "rms_norm_eps")
        // theta 1 makes every frequency 1 (and YaRN divides by log(theta)); real models use 10^4 and up.
        guard ropeTheta > 1 else { throw ConfigError(file: file, field: "rope_theta", problem: .notAbove(value: "\(ropeTheta)", limit: "1")) }
        try positive(Double(routedScalingFactor), "routed_scaling_factor")
        guard qkRopeHeadDim % 2 == 0 else { throw ConfigError(file: file, field: "qk_rope_head_dim", problem: .notEven(value: qkRopeHeadDim)) }
        if let q = qLoraRank { try positive(q, "q_lora_rank") }
        if let bos = bosTokenId { try tokenId(bos, "bos_token_id") }
        for eos in eosTokenIds { try tokenId(eos, "eos_token_id") }
        if nRoutedExperts > 0 {
            try positive(moeIntermediateSize, "moe_intermediate_size")
            guard numExpertsPerTok > 0, numExpertsPerTok <= nRoutedExperts else {
                throw ConfigError(file: file, field: "num_experts_per_tok",
                                  problem: .expertsPerTokenOutOfRange(perToken: numExpertsPerTok, experts: nRoutedExperts))
            }
            guard topkGroup <= nGroup else {
                throw ConfigError(file: file, field: "topk_group", problem: .moreThan(value: topkGroup, limitField: "n_group", limit: nGroup))
            }
            if topkMethod != .greedy {
                guard nRoutedExperts % nGroup == 0 else {
                    throw ConfigError(file: file, field: "n_group", problem: .groupsDoNotDivideExperts(
                        groups: nGroup, topkGroup: topkGroup, experts: nRoutedExperts))
                }
                guard topkGroup * (nRoutedExperts / nGroup) >= numExpertsPerTok else {
                    throw ConfigError(file: file, field: "topk_group",
                                      problem: .groupsHoldTooFewExperts(topkGroup: topkGroup, perToken: numExpertsPerTok))
                }
            }
            if topkMethod == .noAuxTC && scoringFunc != .sigmoid {
                throw ConfigError(file: file, field: "topk_method", problem: .needsSigmoidScoring)
            }
        }
        if let y = ropeScaling {
            guard y.factor > 0, y.factor.isFinite, y.originalMaxPositionEmbeddings > 0 else {
                throw ConfigError(file: file, field: "rope_scaling", problem: .yarnNotPositive)
            }
            // The correction range takes their logarithm.
            try positive(y.betaFast, "rope_scaling.beta_fast"); try positive(y.betaSlow, "rope_scaling.beta_slow")
            try finite(y.mscale, "rope_scaling.mscale"); try finite(y.mscaleAllDim, "rope_scaling.mscale_all_dim")
        }
    }
}

/// Reads typed fields from a JSON object with errors that name the field.
private struct FieldReader {
    let json: JSONObject
    let file: String
    var prefix = ""

    /// A number (`true` is not one) as a Double, and as the file wrote it for messages.
    private func number(_ key: String) throws -> (value: Double, text: String)? {
        guard let v = json[key], v != .null else { return nil }
        guard let d = v.doubleValue else {
            throw ConfigError(file: file, field: prefix + key, problem: .notANumber(value: v.description))
        }
        return (d, v.description)
    }

    func optionalInt(_ key: String) throws -> Int? {
        guard let (d, text) = try number(key) else { return nil }
        guard d == d.rounded() else { throw ConfigError(file: file, field: prefix + key, problem: .notAnInteger(value: text)) }
        // Sizes and ids of real models are far below 2^24; larger values would only overflow products.
        guard abs(d) <= Double(1 << 24) else { throw ConfigError(file: file, field: prefix + key, problem: .outOfRange(value: text)) }
        return Int(d)
    }

    func int(_ key: String) throws -> Int {
        guard let v = try optionalInt(key) else { throw ConfigError(file: file, field: prefix + key, problem: .missing) }
        return v
    }

    func optionalDouble(_ key: String) throws -> Double? {
        guard let (d, text) = try number(key) else { return nil }
        guard d.isFinite, abs(d) <= 1e30 else { throw ConfigError(file: file, field: prefix + key, problem: .outOfRange(value: text)) }
        return d
    }

    func optionalString(_ key: String) throws -> String? {
        guard let v = json[key], v != .null else { return nil }
        guard case .string(let s) = v else { throw ConfigError(file: file, field: prefix + key, problem: .notAString(value: v.description)) }
        return s
    }

    func optionalBool(_ key: String) throws -> Bool? {
        guard let v = json[key], v != .null else { return nil }
        guard case .bool(let b) = v else { throw ConfigError(file: file, field: prefix + key, problem: .notABoolean(value: v.description)) }
        return b
    }

    func double(_ key: String) throws -> Double {
        guard let v = try optionalDouble(key) else { throw ConfigError(file: file, field: prefix + key, problem: .missing) }
        return v
    }

    func string(_ key: String) throws -> String {
        guard case .string(let s)? = json[key] else { throw ConfigError(file: file, field: prefix + key, problem: .missingOrNotAString) }
        return s
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
