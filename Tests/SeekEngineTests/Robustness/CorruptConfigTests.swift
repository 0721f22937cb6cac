import Foundation
import XCTest
@testable import SeekEngine

/// Systematically corrupted config.json files of the shared fixtures: every field seek reads, set to
/// values of the wrong sign, size and type. Each must end in a typed one-line error or a run with finite
/// logits: never a trap, a hang, or a giant allocation.
final class CorruptConfigTests: XCTestCase {
    /// The numeric fields seek reads ("rope_scaling.x" for the nested ones).
    static let numericFields = [
        "vocab_size", "hidden_size", "intermediate_size", "moe_intermediate_size", "num_hidden_layers",
        "num_attention_heads", "n_shared_experts", "n_routed_experts", "num_experts_per_tok", "first_k_dense_replace",
        "moe_layer_freq", "kv_lora_rank", "q_lora_rank", "qk_nope_head_dim", "qk_rope_head_dim", "v_head_dim", "n_group",
        "topk_group", "routed_scaling_factor", "max_position_embeddings", "rope_theta", "rms_norm_eps", "bos_token_id",
        "eos_token_id", "num_nextn_predict_layers", "rope_scaling.factor", "rope_scaling.original_max_position_embeddings",
        "rope_scaling.beta_fast", "rope_scaling.beta_slow", "rope_scaling.mscale", "rope_scaling.mscale_all_dim",
    ]
    /// Fields whose negative values still mean something (YaRN's mscale terms).
    static let signless: Set<String> = ["rope_scaling.mscale", "rope_scaling.mscale_all_dim"]

    static var mutations: [(label: String, value: Any)] { [
        ("-5", -5), ("-1", -1), ("0", 0), ("1", 1), ("3", 3), ("2^30", 1 << 30), ("2^62", 1 << 62), ("2.5", 2.5),
        ("1e300", 1e300), ("-1e-300", -1e-300), ("true", true), ("false", false), ("\"12\"", "12"), ("[1]", [1]), ("{}", [String: Any]()),
    ] }

    private func set(_ field: String, _ value: Any?, in json: inout [String: Any]) {
        let parts = field.split(separator: ".").map(String.init)
        if parts.count == 2 {
            var nested = json[parts[0]] as? [String: Any] ?? [:]
            nested[parts[1]] = value
            json[parts[0]] = nested
        } else {
            json[field] = value
        }
    }

    func testEveryNumericFieldCorrupted() throws {
        for fixture in ["tiny-lite", "tiny-v2", "tiny-v3"] {
            let folder = try CorruptFolder(copying: fixture, for: self)
            let original = try folder.config
            var ran = 0, failed = 0
            for field in Self.numericFields {
                for (label, value) in Self.mutations {
                    try folder.editConfig { json in
                        json = original
                        set(field, value, in: &json)
                    }
                    let outcome = LoadAttempt.run(folder.path)
                    let context = "\(fixture) \(field) = \(label)"
                    // `seek models` says "loadable" exactly when loading works.
                    let verified = Result { try DeepSeekModel.verify(folder: folder.path) }
                    if case .ran = outcome, case .failure(let error) = verified { XCTFail("\(context): ran, but verify says \(error)") }
                    if case .success = verified, let message = outcome.message, !message.contains("logits"), !message.contains("context") {
                        XCTFail("\(context): verify passed, but loading says \(message)")
                    }
                    switch outcome {
                    case .hung: XCTFail("\(context): hung")
                    case .ran: ran += 1
                    case .failed(let message):
                        failed += 1
                        XCTAssertFalse(message.contains("\n"), "\(context): \(message)")
                        XCTAssertFalse(message.isEmpty, context)
                    }
                    let name = String(field.split(separator: ".").last!)
                    let isNumber = !(value is String) && !(value is [Any]) && !(value is [String: Any]) && !(value is Bool)
                    let validList = field == "eos_token_id" && label == "[1]"  // a list of end ids is allowed
                    if !isNumber && !validList {
                        XCTAssertTrue(outcome.message?.contains(name) == true, "\(context): a value of the wrong type must be refused naming the field, got \(outcome)")
                    } else if let number = value as? Double, number < 0, !Self.signless.contains(field) {
                        XCTAssertTrue(outcome.message?.contains(name) == true, "\(context): a negative value must be refused naming the field, got \(outcome)")
                    } else if let number = value as? Int, number < 0, !Self.signless.contains(field) {
                        XCTAssertTrue(outcome.message?.contains(name) == true, "\(context): a negative value must be refused naming the field, got \(outcome)")
                    }
                }
            }
            // The generator must exercise both outcomes, or it is testing nothing.
            XCTAssertGreaterThan(ran, 10, fixture)
            XCTAssertGreaterThan(failed, 100, fixture)
        }
    }

    func testFieldsThatBreakTheMathAreNamed() throws {
        let folder = try CorruptFolder(copying: "tiny-lite", for: self)
        let original = try folder.config
        let cases: [(String, Any, String)] = [
            ("max_position_embeddings", -5, "max_position_embeddings must be positive, got -5"),
            ("rms_norm_eps", -1, "rms_norm_eps must be a positive number"),
            ("rms_norm_eps", 0, "rms_norm_eps must be a positive number"),
            ("rope_theta", 0, "rope_theta must be above 1"),
            ("n_shared_experts", -1, "n_shared_experts must be 0 or more, got -1"),
            ("topk_group", 4, "topk_group 4 is more than n_group 1"),
            ("bos_token_id", 512, "bos_token_id 512 is outside the vocabulary"),
            ("eos_token_id", [1, "x"], "eos_token_id must be a number"),
            ("norm_topk_prob", "yes", "norm_topk_prob must be true or false"),
            ("num_hidden_layers", true, "num_hidden_layers must be a number"),
            ("routed_scaling_factor", 0, "routed_scaling_factor must be a positive number"),
        ]
        for (field, value, expected) in cases {
            try folder.editConfig { json in
                json = original
                json[field] = value
            }
            let message = LoadAttempt.run(folder.path).message ?? "ran"
            XCTAssertTrue(message.contains(expected), "\(field) = \(value): \(message)")
            XCTAssertTrue(message.contains("config.json"), message)
        }
    }

    func testGroupMethodNamesTopkGroupAboveGroups() throws {
        let folder = try CorruptFolder(copying: "tiny-v2", for: self)
        try folder.editConfig { $0["topk_group"] = 5 }
        XCTAssertTrue(LoadAttempt.run(folder.path).message?.contains("topk_group 5 is more than n_group 4") == true)
    }

    /// The KV cache and workspace are checked against memory, with the size in the message.
    func testContextLargerThanMemoryIsAnErrorWithTheSize() throws {
        let folder = try CorruptFolder(copying: "tiny-lite", for: self)
        try folder.editConfig { $0["max_position_embeddings"] = 1 << 24 }
        var options = LoadOptions()
        options.contextSize = 1 << 24
        options.memoryLimit = 1 << 30
        XCTAssertThrowsError(try DeepSeekModel.load(folder: folder.path, options: options)) { error in
            guard case ContextError.exceedsMemory(let tokens, let bytes?, let limit) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(tokens, 1 << 24)
            XCTAssertEqual(limit, 1 << 30)
            // 3 layers x (32 + 8) floats per token, plus the workspace.
            XCTAssertGreaterThan(bytes, 3 * 40 * 4 << 24)
            XCTAssertTrue("\(error)".contains("needs"), "\(error)")
        }
        // The same context with room for it loads (reserved, not touched).
        options.memoryLimit = 64 << 30
        XCTAssertNoThrow(try DeepSeekModel.load(folder: folder.path, options: options))
    }

    func testPhysicalMemoryIsRead() {
        XCTAssertGreaterThan(PhysicalMemory.bytes, 256 << 20)
        XCTAssertNil(CheckedSize.product(1 << 32, 1 << 32))
        XCTAssertEqual(CheckedSize.product(3, 4, 5), 60)
        XCTAssertNil(CheckedSize.product(-1, 4))
    }
}
