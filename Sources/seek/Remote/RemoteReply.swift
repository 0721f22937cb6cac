import Foundation
import SeekRemote

/// One streamed reply from a server, gathered as it arrives: the answer, the reasoning (kept apart),
/// the finish reason, the token counts and timings, and token ids when the server returns them. Also
/// times the stream on this side, for servers that send no timings.
final class RemoteReply: @unchecked Sendable {  // filled by the one consumer task, read after it ends
    private(set) var text = ""
    private(set) var reasoning = ""
    private(set) var finishReason: String?
    private(set) var usage: RemoteUsage?
    private(set) var promptIds: [Int]?
    private(set) var replyIds: [Int]?
    let started = Date()
    private(set) var firstText: Date?
    private(set) var lastText: Date?

    /// Records `event`; returns what to show of it.
    func record(_ event: RemoteEvent) -> Shown? {
        switch event {
        case .role:
            return nil
        case .content(let piece):
            mark()
            text += piece
            return .answer(piece)
        case .reasoning(let piece):
            mark()
            reasoning += piece
            return .reasoning(piece)
        case .finish(let reason):
            finishReason = reason
        case .usage(let counts):
            usage = counts
        case .tokenIds(let prompt, let reply):
            if let prompt { promptIds = prompt }
            replyIds = (replyIds ?? []) + reply
        }
        return nil
    }

    /// Ctrl-C stopped the reply: it keeps what arrived.
    func markCancelled() { finishReason = "cancelled" }

    var wasCancelled: Bool { finishReason == "cancelled" }

    enum Shown {
        case answer(String)
        case reasoning(String)
    }

    private func mark() {
        let now = Date()
        if firstText == nil { firstText = now }
        lastText = now
    }

    /// The server's timings in --json's keys, else this side's view (prompt: until the first text).
    var timings: (promptMs: Double, decodeMs: Double, promptTPS: Double, decodeTPS: Double) {
        if let t = usage?.timings, let promptMs = t.promptMs, let decodeMs = t.predictedMs {
            return (promptMs, decodeMs, t.promptPerSecond ?? 0, t.predictedPerSecond ?? 0)
        }
        let first = firstText ?? Date()
        let promptMs = first.timeIntervalSince(started) * 1000
        let decodeMs = (lastText ?? first).timeIntervalSince(first) * 1000
        let generated = usage?.completionTokens ?? 0
        let prompt = usage.map { $0.promptTokens - ($0.cachedTokens ?? 0) } ?? 0
        return (promptMs, decodeMs, promptMs > 0 ? Double(prompt) * 1000 / promptMs : 0,
                decodeMs > 0 && generated > 1 ? Double(generated - 1) * 1000 / decodeMs : 0)
    }

    /// `/stats` and --verbose lines.
    var statsLines: [String] {
        let t = timings
        var lines: [String] = []
        if wasCancelled { lines.append("stopped by Ctrl-C (the server sent no counts)") }
        if let usage {
            lines.append("prompt      \(usage.promptTokens) tokens"
                         + (usage.cachedTokens.map { " (\($0) reused from the server's cache)" } ?? ""))
        }
        lines.append(String(format: "prefill     %.1f ms, %.1f tokens/s", t.promptMs, t.promptTPS))
        lines.append(String(format: "first token %.1f ms (as seen here)", (firstText ?? started).timeIntervalSince(started) * 1000))
        lines.append(String(format: "decode      %d tokens, %.1f ms, %.1f tokens/s", usage?.completionTokens ?? 0, t.decodeMs, t.decodeTPS))
        return lines
    }
}

/// How reasoning text (DeepSeek-R1-style servers' `reasoning_content`) is told apart from the answer:
/// dimmed on a terminal, else inside a "[thinking] … [/thinking]" marker.
struct ReasoningStyle {
    let dim: Bool
    private(set) var open = false

    init(terminal: Bool) { dim = terminal }

    /// The text to print for a reasoning piece.
    mutating func reasoning(_ piece: String) -> String {
        var out = ""
        if !open {
            open = true
            out += dim ? "\u{1B}[2m" : "[thinking] "
        }
        return out + piece
    }

    /// What closes the reasoning before the answer (or the end) is printed.
    mutating func close() -> String {
        guard open else { return "" }
        open = false
        return dim ? "\u{1B}[0m\n" : " [/thinking]\n"
    }
}

/// Prints a reply's pieces as they stream in: the answer on stdout, reasoning apart from it (on stderr
/// for a one-shot, so stdout holds only the answer; dimmed in the chat).
final class ReplyPrinter: @unchecked Sendable {  // every access holds `lock`
    private let lock = NSLock()
    private var style: ReasoningStyle
    private let reasoningOnStderr: Bool
    private var answerEndsWithNewline = true
    private var printedAnswer = false

    init(reasoningOnStderr: Bool) {
        self.reasoningOnStderr = reasoningOnStderr
        style = ReasoningStyle(terminal: isatty(reasoningOnStderr ? STDERR_FILENO : STDOUT_FILENO) == 1)
    }

    func show(_ shown: RemoteReply.Shown) {
        lock.lock()
        defer { lock.unlock() }
        switch shown {
        case .reasoning(let piece):
            write(style.reasoning(piece))
        case .answer(let piece):
            write(style.close())
            Console.out(piece)
            printedAnswer = true
            answerEndsWithNewline = piece.hasSuffix("\n")
        }
    }

    /// Ends the reply: closes the reasoning and, when `newline`, ends the answer's line.
    func finish(newline: Bool) {
        lock.lock()
        defer { lock.unlock() }
        write(style.close())
        if newline, !(printedAnswer && answerEndsWithNewline) { Console.out("\n") }
    }

    private func write(_ text: String) {
        guard !text.isEmpty else { return }
        if reasoningOnStderr { Console.err(text) } else { Console.out(text) }
    }
}
