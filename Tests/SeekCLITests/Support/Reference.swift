import Foundation

/// tiny-chat's reference generations (../shared/fixtures/tiny-chat/reference.json, "text_cases").
struct TextCase {
    var mode: String
    var prompt: String?
    var messages: [[String: String]]
    var promptIds: [Int]
    var greedyIds: [Int]
    var textUntilEOS: String

    var eosTokenId: Int

    var system: String? { messages.first { $0["role"] == "system" }?["content"] }

    /// The greedy ids up to the first end-of-sequence id (exclusive).
    var idsUntilEOS: [Int] { Array(greedyIds.prefix { $0 != eosTokenId }) }

    static func load(fixture: String) throws -> [TextCase] {
        let config = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: fixture + "/config.json"))) as? [String: Any]
        let eos = config?["eos_token_id"] as? Int ?? -1
        let data = try Data(contentsOf: URL(fileURLWithPath: fixture + "/reference.json"))
        let root = try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
        let cases = root["text_cases"] as? [[String: Any]] ?? []
        return cases.map { item in
            TextCase(mode: item["mode"] as? String ?? "", prompt: item["prompt"] as? String,
                     messages: item["messages"] as? [[String: String]] ?? [],
                     promptIds: item["prompt_ids"] as? [Int] ?? [], greedyIds: item["greedy_ids"] as? [Int] ?? [],
                     textUntilEOS: item["text_until_eos"] as? String ?? "", eosTokenId: eos)
        }
    }
}
