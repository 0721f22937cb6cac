import SeekChat
import SeekEngine

/// One prompt in, one reply out: streamed text on stdout (or one JSON object), diagnostics on stderr.
struct OneShot {
    let startup: CommandStartup
    let raw: Bool
    let json: Bool
    let system: String?
    let verbose: Bool

    func run(_ text: String) throws {
        let loaded = startup.loaded
        let formatter = loaded.formatter
        let ids: [Int]
        if raw || !formatter.canChat {
            if system != nil { throw ChatError.systemMessageNeedsTemplate(model: loaded.name) }
            if !raw, verbose { Console.err("\(loaded.name) has no chat template: sending the prompt as plain text\n") }
            ids = formatter.rawIds(text)
        } else {
            let conversation = Conversation(system: system ?? loaded.defaultSystem, messages: [.init(role: "user", content: text)])
            ids = try formatter.chatIds(conversation)
        }
        var sampler = Sampler(startup.settings.parameters)
        let completion = try loaded.makeTextGeneration().complete(promptIds: ids, settings: startup.settings, sampler: &sampler) { piece in
            if !json { Console.out(piece) }
        }
        if json {
            Console.out(JSONReport(model: loaded.name, promptIds: ids, completion: completion).encoded() + "\n")
        } else {
            Console.out("\n")
        }
        if verbose {
            Console.err(StatsReport.oneLine(completion.stats) + " finish: \(completion.finishReason.rawValue)\n")
        }
    }
}
