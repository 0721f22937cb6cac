import Foundation
import SeekChat
import SeekEngine
import SeekJSON

/// The object `--json` prints, keys in this order:
/// {"model", "prompt_tokens", "tokens", "text", "finish_reason", ["logprobs",] "timings": {"prompt_ms",
/// "decode_ms", "prompt_tps", "decode_tps"}}; "logprobs" (with --logprobs) is one object per generated
/// token: {"id", "token", "logprob", "top_logprobs": [{"id", "token", "logprob"}, …]}.
struct JSONReport {
    var model: String
    var promptIds: [Int]
    var completion: Completion
    /// A token's text ("token" in "logprobs").
    var tokenText: (Int) -> String = { _ in "" }

    func encoded() -> String {
        let stats = completion.stats
        var report: JSONObject = [
            "model": .string(model),
            "prompt_tokens": JSONReport.ids(promptIds),
            "tokens": JSONReport.ids(completion.tokens),
            "text": .string(completion.text),
            "finish_reason": completion.finishReason == .length ? "length" : "stop",
        ]
        if let logprobs = completion.logprobs { report["logprobs"] = .array(logprobs.map(logprobObject)) }
        report["timings"] = JSONReport.timings(promptMs: stats.prefillSeconds * 1000, decodeMs: stats.decodeSeconds * 1000,
                                               promptTPS: stats.prefillTokensPerSecond, decodeTPS: stats.decodeTokensPerSecond)
        return JSONReport.text(.object(report))
    }

    private func logprobObject(_ entry: LogprobRecorder.Entry) -> JSON {
        func token(_ id: Int, _ logprob: Float) -> JSONObject {
            ["id": .int(id), "token": .string(tokenText(id)), "logprob": JSONReport.logprob(logprob)]
        }
        var object = token(entry.id, entry.logprob)
        object["top_logprobs"] = .array(entry.top.map { .object(token($0.id, $0.logprob)) })
        return .object(object)
    }

    /// One line, UTF-8 as is. The values are finite by construction, so writing cannot fail.
    static func text(_ value: JSON) -> String { (try? JSONWriter.compact.string(value)) ?? "{}" }

    static func ids(_ list: [Int]) -> JSON { .array(list.map { .int($0) }) }

    /// {"prompt_ms", "decode_ms", "prompt_tps", "decode_tps"}.
    static func timings(promptMs: Double, decodeMs: Double, promptTPS: Double, decodeTPS: Double) -> JSON {
        ["prompt_ms": number(promptMs), "decode_ms": number(decodeMs), "prompt_tps": number(promptTPS), "decode_tps": number(decodeTPS)]
    }

    /// A log-probability to six decimals; null for an impossible token (JSON has no -infinity).
    static func logprob(_ value: Float) -> JSON {
        value.isFinite ? .double((Double(value) * 1e6).rounded() / 1e6) : .null
    }

    /// Finite numbers to three decimals (JSON has no NaN or infinity).
    static func number(_ value: Double) -> JSON {
        guard value.isFinite else { return .int(0) }
        return .double((value * 1000).rounded() / 1000)
    }
}
