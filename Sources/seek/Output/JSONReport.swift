import Foundation
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
            "\"model\":" + JSONReport.string(model),
            "\"prompt_tokens\":[" + promptIds.map(String.init).joined(separator: ",") + "]",
            "\"tokens\":[" + completion.tokens.map(String.init).joined(separator: ",") + "]",
            "\"text\":" + JSONReport.string(completion.text),
            "\"finish_reason\":" + JSONReport.string(completion.finishReason == .length ? "length" : "stop"),
            "\"timings\":{" + timings.joined(separator: ",") + "}",
        ]
        return "{" + fields.joined(separator: ",") + "}"
    }

    /// A JSON string literal: quotes, backslashes and control characters escaped, the rest as UTF-8.
    static func string(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            default:
                if scalar.value < 0x20 {
                    result += String(format: "\\u%04x", scalar.value)
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result + "\""
    }

    /// Finite numbers with at most three decimals (JSON has no NaN or infinity).
    static func number(_ value: Double) -> String {
        guard value.isFinite else { return "0" }
        return String(format: "%.3f", value)
    }
}
