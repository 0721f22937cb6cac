import Foundation
import SeekChat
import SeekEngine

/// One prompt in, one reply out: streamed text on stdout (or one JSON object), diagnostics on stderr.
struct OneShot {
    let startup: CommandStartup
    let raw: Bool
    let json: Bool
    /// With --json: log-probabilities with this many alternatives per token.
    let logprobs: Int?
    let system: String?
    let verbose: Bool
    /// Styles the reply on stdout (a reasoning model's thinking apart, on a terminal).
    let replyStyle: TerminalStyle

    func run(_ text: String) throws {
        let loaded = startup.loaded
        let formatter = loaded.formatter
        let ids: [Int]
        var startsThinking = false
        if raw || !formatter.canChat {
            if system != nil { throw ChatError.systemMessageNeedsTemplate(model: loaded.name) }
            if !raw, verbose { Console.err("\(loaded.name) has no chat template: sending the prompt as plain text\n") }
            ids = try formatter.rawIds(text)
        } else {
            let conversation = Conversation(system: system ?? loaded.defaultSystem, messages: [.init(role: "user", content: text)])
            let rendered = try formatter.chatText(conversation)
            startsThinking = rendered.trimmingCharacters(in: .whitespacesAndNewlines).hasSuffix("<think>")
            ids = try formatter.ids(ofRendered: rendered)
        }
        var sampler = Sampler(startup.settings.parameters)
        var writer = ReplyWriter(style: replyStyle, startsThinking: startsThinking)
        let generation = loaded.makeTextGeneration()
        let completion = try generation.complete(promptIds: ids, settings: startup.settings, sampler: &sampler,
                                                 logprobs: json ? logprobs : nil) { piece in
            if !json { writer.write(piece) }
        }
        if json {
            let tokenizer = loaded.tokenizer
            Console.out(JSONReport(model: loaded.name, promptIds: ids, completion: completion,
                                   tokenText: { tokenizer.decode([$0], skipSpecialTokens: false) }).encoded() + "\n")
        } else {
            writer.flush()
            Console.out("\n")
        }
        if completion.finishReason == .length, generation.generator.cachedIds.count >= loaded.model.contextSize {
            Console.warning("the reply reached the end of the context (\(loaded.model.contextSize) tokens) and was cut; raise --ctx-size for more")
        }
        if verbose {
            Console.err(StatsReport.oneLine(completion.stats) + " finish: \(completion.finishReason.rawValue)\n")
        }
    }
}
