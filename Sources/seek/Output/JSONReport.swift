import Foundation
import SeekChat
import SeekEngine

/// The object `--json` prints, keys in this order:
/// {"model", "prompt_tokens", "tokens", "text", "finish_reason", ["logprobs",] "timings": {"prompt_ms",
/// "decode_ms", "prompt_tps", "decode_tps"}}; "logprobs" (with --logprobs) is one object per generated
/// token: {"id", "token", "logprob", "top_logprobs": [{"id", "token", "logprob"}, …]}.
/// Written by hand because JSONEncoder does not keep key order on every platform.
struct JSONReport {
    var model: String
    var promptIds: [Int]
    var completion: Completion
    /// A token's text ("token" in "logprobs").
    var tokenText: (Int) -> String = { _ in "" }

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
        ] + (completion.logprobs.map { ["\"logprobs\":[" + $0.map(logprobObject).joined(separator: ",") + "]"] } ?? []) + [
            "\"timings\":{" + timings.joined(separator: ",") + "}",
        ]
        return "{" + fields.joined(separator: ",") + "}"
    }

    private func logprobObject(_ entry: LogprobRecorder.Entry) -> String {
        func token(_ id: Int, _ logprob: Float) -> String {
            "\"id\":\(id),\"token\":" + JSONText.quoted(tokenText(id)) + ",\"logprob\":" + JSONReport.logprob(logprob)
        }
        return "{" + token(entry.id, entry.logprob) + ",\"top_logprobs\":["
            + entry.top.map { "{" + token($0.id, $0.logprob) + "}" }.joined(separator: ",") + "]}"
    }

    /// A log-probability with six decimals; null for an impossible token (JSON has no -infinity).
    static func logprob(_ value: Float) -> String {
        value.isFinite ? String(format: "%.6f", Double(value)) : "null"
    }

    /// Finite numbers with at most three decimals (JSON has no NaN or infinity).
    static func number(_ value: Double) -> String {
        guard value.isFinite else { return "0" }
        return String(format: "%.3f", value)
    }
}
