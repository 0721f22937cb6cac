import Foundation
import SeekJSON
import XCTest
@testable import SeekEngine

/// config.json parsing: every field that changes the math, and one-line errors for what we do not run.
final class ConfigTests: XCTestCase {
    private func fixtureJSON(_ name: String) throws -> JSONObject {
        let data = try Data(contentsOf: URL(fileURLWithPath: try SharedData.fixture(name) + "/config.json"))
        return try XCTUnwrap(JSONParser.parse([UInt8](data)).objectValue)
    }

    func testReadsTinyV2() throws {
        let c = try ModelConfig(json: fixtureJSON("tiny-v2"))
        XCTAssertEqual(c.qLoraRank, 48)
        XCTAssertEqual(c.topkMethod, .groupLimitedGreedy)
        XCTAssertEqual(c.routedScalingFactor, 2.5)
        XCTAssertEqual(c.ropeScaling?.mscale, 1.0)
        XCTAssertEqual(c.ropeScaling?.mscaleAllDim, 0.707)
        XCTAssertEqual(c.latentDim, 40)
        XCTAssertFalse(c.isMoELayer(0))
        XCTAssertTrue(c.isMoELayer(1))
    }

    func testReadsTinyV3() throws {
        let c = try ModelConfig(json: fixtureJSON("tiny-v3"))
        XCTAssertEqual(c.topkMethod, .noAuxTC)
        XCTAssertEqual(c.scoringFunc, .sigmoid)
        XCTAssertTrue(c.normTopkProb)
        XCTAssertTrue(c.isV3Family)
    }

    func testGreedyTypoAndEOSList() throws {
        var json = try fixtureJSON("tiny-lite")
        json["topk_method"] = "gready"
        json["eos_token_id"] = [1, 7]
        json["q_lora_rank"] = .null
        let c = try ModelConfig(json: json)
        XCTAssertEqual(c.topkMethod, .greedy)
        XCTAssertEqual(c.eosTokenIds, [1, 7])
        XCTAssertNil(c.qLoraRank)
    }

    private func expectError(_ edit: (inout JSONObject) -> Void, mentions fragment: String, line: UInt = #line) throws {
        var json = try fixtureJSON("tiny-lite")
        edit(&json)
        XCTAssertThrowsError(try ModelConfig(json: json, file: "x/config.json"), line: line) { error in
            let m = "\(error)"
            XCTAssertTrue(m.hasPrefix("x/config.json: ") && m.contains(fragment), m, line: line)
        }
    }

    func testUnsupportedValuesNameTheField() throws {
        try expectError({ $0["model_type"] = "llama" }, mentions: "model_type 'llama'")
        try expectError({ $0["topk_method"] = "sinkhorn" }, mentions: "topk_method 'sinkhorn'")
        try expectError({ $0["scoring_func"] = "relu" }, mentions: "scoring_func 'relu'")
        try expectError({ $0["hidden_act"] = "gelu" }, mentions: "hidden_act 'gelu'")
        try expectError({ $0["rope_scaling"] = ["type": "linear", "factor": 2] }, mentions: "rope_scaling type 'linear'")
        try expectError({ $0["hidden_size"] = nil }, mentions: "hidden_size is missing")
        try expectError({ $0["kv_lora_rank"] = "big" }, mentions: "kv_lora_rank must be a number")
        try expectError({ $0["num_experts_per_tok"] = 99 }, mentions: "num_experts_per_tok 99")
        try expectError({ $0["quantization_config"] = ["quant_method": "fp8"] }, mentions: "quantization_config (fp8)")
        try expectError({ $0["qk_rope_head_dim"] = 7 }, mentions: "qk_rope_head_dim must be even")
        try expectError({ $0["hidden_size"] = 1e15 }, mentions: "hidden_size = 1000000000000000.0 is out of range")
    }
}

/// YaRN frequencies and the attention scale, checked against hand-computed values for DeepSeek-V2-Lite.
final class RotaryEmbeddingTests: XCTestCase {
    let lite = YarnScaling(factor: 40, originalMaxPositionEmbeddings: 4096, betaFast: 32, betaSlow: 1,
                           mscale: 0.707, mscaleAllDim: 0.707)

    func testCorrectionRange() {
        // dim·ln(4096 / (β·2π)) / (2 ln 10000): β=32 → 10.47 → floor 10; β=1 → 22.51 → ceil 23
        let (low, high) = RotaryEmbedding.correctionRange(betaFast: 32, betaSlow: 1, dim: 64, theta: 10000, originalMax: 4096)
        XCTAssertEqual(low, 10)
        XCTAssertEqual(high, 23)
    }

    func testInverseFrequenciesBlend() {
        let rope = RotaryEmbedding(dim: 64, theta: 10000, yarn: lite)
        for i in 0..<32 {
            let exponent = Double(2 * i) / 64
            let base = Float(1 / pow(10000.0, exponent))
            let expected: Float
            if i < 10 { expected = base }                         // high frequencies: untouched
            else if i >= 23 { expected = base / 40 }              // low frequencies: interpolated
            else {
                let ramp = Float(i - 10) / 13                     // linear blend in between
                expected = base / 40 * ramp + base * (1 - ramp)
            }
            XCTAssertEqual(rope.inverseFrequencies[i], expected, accuracy: expected * 1e-5, "pair \(i)")
        }
        XCTAssertEqual(rope.attentionScaling, 1, accuracy: 1e-7) // mscale == mscale_all_dim
    }

    func testMscale() {
        let expected: Double = 0.1 * 0.707 * log(40.0) + 1
        XCTAssertEqual(RotaryEmbedding.mscale(40, 0.707), expected, accuracy: 1e-12)
        XCTAssertEqual(RotaryEmbedding.mscale(1, 0.707), 1)
        let v2 = RotaryEmbedding(dim: 8, theta: 10000, yarn: YarnScaling(
            factor: 8, originalMaxPositionEmbeddings: 64, betaFast: 32, betaSlow: 1, mscale: 1, mscaleAllDim: 0.707))
        let numerator: Double = 0.1 * log(8.0) + 1
        let denominator: Double = 0.1 * 0.707 * log(8.0) + 1
        XCTAssertEqual(Double(v2.attentionScaling), numerator / denominator, accuracy: 1e-6)
    }

    func testRotationIsInterleavedPairs() {
        let rope = RotaryEmbedding(dim: 4, theta: 10000, yarn: nil)
        var x: [Float] = [1, 0, 0, 1]
        x.withUnsafeMutableBufferPointer { rope.apply($0.baseAddress!, position: 1) }
        // pair 0 rotates by 1 rad, pair 1 by 1/100 rad
        XCTAssertEqual(x[0], cos(1), accuracy: 1e-6)
        XCTAssertEqual(x[1], sin(1), accuracy: 1e-6)
        XCTAssertEqual(x[2], -sin(0.01), accuracy: 1e-6)
        XCTAssertEqual(x[3], cos(0.01), accuracy: 1e-6)
    }
}

/// Router selection with hand-checked numbers.
final class RouterTests: XCTestCase {
    private func config(method: String, scoring: String, experts: Int, topK: Int, groups: Int, topKGroups: Int,
                        normalize: Bool, scale: Double, type: String) throws -> ModelConfig {
        let data = try Data(contentsOf: URL(fileURLWithPath: try SharedData.fixture("tiny-lite") + "/config.json"))
        var json = try XCTUnwrap(JSONParser.parse([UInt8](data)).objectValue)
        json["model_type"] = .string(type)
        json["topk_method"] = .string(method)
        json["scoring_func"] = .string(scoring)
        json["n_routed_experts"] = .int(experts)
        json["num_experts_per_tok"] = .int(topK)
        json["n_group"] = .int(groups)
        json["topk_group"] = .int(topKGroups)
        json["norm_topk_prob"] = .bool(normalize)
        json["routed_scaling_factor"] = .double(scale)
        return try ModelConfig(json: json)
    }

    func testNoAuxTCSelectsWithBiasButWeighsWithoutIt() throws {
        let c = try config(method: "noaux_tc", scoring: "sigmoid", experts: 8, topK: 2, groups: 4, topKGroups: 2,
                           normalize: true, scale: 2.5, type: "deepseek_v3")
        // sigmoid(logits) = [.8808 .2689 .5 .7311 .1192 .9526 .6225 .3775]
        // + bias          = [.8808 .2689 1.0 .7311 .1192 .0526 .6225 .3775]
        // group top-2 sums: g0 1.1497, g1 1.7311, g2 .1718, g3 1.0 → keep g1, g0
        // best two inside: e2 (1.0), e0 (.8808) — e5 has the best raw score but its bias drops it.
        // weights from raw scores .5 and .8808, normalised then × 2.5.
        let router = Router(config: c, correctionBias: [0, 0, 0.5, 0, 0, -0.9, 0, 0])
        let logits: [Float] = [2, -1, 0, 1, -2, 3, 0.5, -0.5]
        let picked = logits.withUnsafeBufferPointer { router.route(logits: $0.baseAddress!) }
        XCTAssertEqual(picked.map(\.expert), [2, 0])
        let s0: Float = 1 / (1 + exp(-2)), s2: Float = 0.5
        XCTAssertEqual(picked[0].weight, s2 / (s0 + s2) * 2.5, accuracy: 1e-6)
        XCTAssertEqual(picked[1].weight, s0 / (s0 + s2) * 2.5, accuracy: 1e-6)
    }

    func testGroupLimitedGreedyUsesGroupMaximum() throws {
        let c = try config(method: "group_limited_greedy", scoring: "softmax", experts: 8, topK: 2, groups: 4,
                           topKGroups: 1, normalize: false, scale: 2.0, type: "deepseek_v2")
        let router = Router(config: c, correctionBias: nil)
        // Group maxima: g0 3.0, g1 2.9, g2 1.0, g3 0.0 → only g0 survives; its experts are 0 and 1.
        // Plain greedy would have taken experts 0 and 2.
        let logits: [Float] = [3.0, -1.0, 2.9, 2.8, 1.0, 0.0, 0.0, 0.0]
        let picked = logits.withUnsafeBufferPointer { router.route(logits: $0.baseAddress!) }
        XCTAssertEqual(picked.map(\.expert), [0, 1])
        let total: Float = logits.map { exp($0) }.reduce(0, +)
        XCTAssertEqual(picked[0].weight, exp(3) / total * 2, accuracy: 1e-6)  // softmax over all experts, × scale
        XCTAssertEqual(picked[1].weight, exp(-1) / total * 2, accuracy: 1e-6)
    }

    func testGreedySoftmaxTopK() throws {
        let c = try config(method: "greedy", scoring: "softmax", experts: 4, topK: 2, groups: 1, topKGroups: 1,
                           normalize: true, scale: 1, type: "deepseek_v2")
        let router = Router(config: c, correctionBias: nil)
        let logits: [Float] = [0, 2, 1, -1]
        let picked = logits.withUnsafeBufferPointer { router.route(logits: $0.baseAddress!) }
        XCTAssertEqual(picked.map(\.expert), [1, 2])
        XCTAssertEqual(picked[0].weight, exp(2) / (exp(2) + exp(1)), accuracy: 1e-6) // normalised over the chosen
    }

    func testTopIndicesOrderAndTies() {
        XCTAssertEqual(Router.topIndices([1, 5, 5, 2], count: 2), [1, 2])
        XCTAssertEqual(Router.topIndices([0.1, 0.3, 0.2], count: 3), [1, 2, 0])
    }
}
