import Foundation
import SeekChat
import SeekEngine

/// The object `--json` prints, keys in this order:
/// {"model", "prompt_tokens", "tokens", "text", "finish_reason", "timings": {"prompt_ms", "decode_ms", "prompt_tps", "decode_tps"}}.
/// Written by hand because JSONEncoder does not keep key order on every platform.
struct JSONReport {
    var model: String
    var promptIds: [Int]
    var completion: Completion

    func encoded() -> String {
        let stats = completion.stats
        let timings = [
            ("prompt_ms", stats.prefillSeconds * 1000), ("decode_ms", stats.decodeSeconds * 1000),
            ("prompt_tps", stats.prefillTokensPerSecond), ("decode_tps", stats.decodeTokensPerSecond),
        ].map { "\"\($0.0)\":\(JSONReport.number($0.1))" }
        let fields = [
            "\"model\":" + JSONText.quoted(model),
            "\"prompt_tokens\":[" + promptIds.map(String.init).joined(separator: ",") + "]",
            "\"tokens\":[" + completion.tokens.map(String.init).joined(separator: ",") + "]",
            "\"text\":" + JSONText.quoted(completion.text),
            "\"finish_reason\":" + JSONText.quoted(completion.finishReason == .length ? "length" : "stop"),
            "\"timings\":{" + timings.joined(separator: ",") + "}",
        ]
        return "{" + fields.joined(separator: ",") + "}"
    }

    /// Finite numbers with at most three decimals (JSON has no NaN or infinity).
    static func number(_ value: Double) -> String {
        guard value.isFinite else { return "0" }
        return String(format: "%.3f", value)
    }
}
