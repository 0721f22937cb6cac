import Foundation
import SeekChat
import SeekRemote
import SeekJSON

/// `seek --remote URL -p TEXT` (or -f, or a pipe): one reply from a server, streamed to stdout as it
/// arrives, or one JSON object with --json. Reasoning goes to stderr, so stdout holds only the answer.
struct RemoteOneShot {
    let session: RemoteSession
    let raw: Bool
    let json: Bool
    let system: String?
    let verbose: Bool

    func run(_ text: String) throws {
        try session.chooseModel()
        let printer = ReplyPrinter(reasoningOnStderr: true)
        let json = self.json
        let show: @Sendable (RemoteReply.Shown) -> Void = { shown in if !json { printer.show(shown) } }
        let reply: RemoteReply
        if raw {
            reply = try session.complete(text, returnTokenIds: json, show: show)
        } else {
            let system = self.system ?? session.target.entry?.system
            let messages = (system.map { [Conversation.Message(role: "system", content: $0)] } ?? [])
                + [Conversation.Message(role: "user", content: text)]
            reply = try session.chat(messages, returnTokenIds: json, show: show)
        }
        if json {
            Console.out(RemoteJSONReport(model: session.model ?? session.target.displayName, reply: reply).encoded() + "\n")
        } else {
            printer.finish(newline: false)
            Console.out("\n")  // as the local one-shot: the reply, then one newline
        }
        if verbose {
            Console.err("[" + reply.statsLines.joined(separator: "; ").replacingOccurrences(of: "  ", with: " ")
                        + "] finish: \(reply.finishReason ?? "none")\n")
        }
    }
}

/// The object `--json` prints for a remote reply: the local one's keys (`prompt_tokens` and `tokens` as
/// id lists when the server returns ids), plus the server's counts in `usage` and, when it reasons,
/// `reasoning`.
struct RemoteJSONReport {
    var model: String
    var reply: RemoteReply

    func encoded() -> String {
        let t = reply.timings
        var report: JSONObject = ["model": .string(model)]
        if let prompt = reply.promptIds { report["prompt_tokens"] = JSONReport.ids(prompt) }
        if let tokens = reply.replyIds { report["tokens"] = JSONReport.ids(tokens) }
        report["text"] = .string(reply.text)
        if !reply.reasoning.isEmpty { report["reasoning"] = .string(reply.reasoning) }
        report["finish_reason"] = .string(reply.finishReason ?? "stop")
        if let usage = reply.usage {
            var counts: JSONObject = ["prompt_tokens": .int(usage.promptTokens), "completion_tokens": .int(usage.completionTokens)]
            if let cached = usage.cachedTokens { counts["cached_tokens"] = .int(cached) }
            report["usage"] = .object(counts)
        }
        report["timings"] = JSONReport.timings(promptMs: t.promptMs, decodeMs: t.decodeMs, promptTPS: t.promptTPS, decodeTPS: t.decodeTPS)
        return JSONReport.text(.object(report))
    }
}
