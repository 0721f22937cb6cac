import Foundation
import SeekChat
import SeekRemote

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
        let timings = [("prompt_ms", t.promptMs), ("decode_ms", t.decodeMs), ("prompt_tps", t.promptTPS), ("decode_tps", t.decodeTPS)]
            .map { "\"\($0.0)\":\(JSONReport.number($0.1))" }
        func ids(_ list: [Int]) -> String { "[" + list.map(String.init).joined(separator: ",") + "]" }
        var fields = ["\"model\":" + JSONText.quoted(model)]
        if let prompt = reply.promptIds { fields.append("\"prompt_tokens\":" + ids(prompt)) }
        if let tokens = reply.replyIds { fields.append("\"tokens\":" + ids(tokens)) }
        fields.append("\"text\":" + JSONText.quoted(reply.text))
        if !reply.reasoning.isEmpty { fields.append("\"reasoning\":" + JSONText.quoted(reply.reasoning)) }
        fields.append("\"finish_reason\":" + JSONText.quoted(reply.finishReason ?? "stop"))
        if let usage = reply.usage {
            var counts = ["\"prompt_tokens\":\(usage.promptTokens)", "\"completion_tokens\":\(usage.completionTokens)"]
            if let cached = usage.cachedTokens { counts.append("\"cached_tokens\":\(cached)") }
            fields.append("\"usage\":{" + counts.joined(separator: ",") + "}")
        }
        fields.append("\"timings\":{" + timings.joined(separator: ",") + "}")
        return "{" + fields.joined(separator: ",") + "}"
    }
}
