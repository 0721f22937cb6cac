import Foundation
import SeekChat
import SeekEngine

/// The interactive chat loop: read a message (or a /command), stream the reply, repeat.
struct ChatREPL {
    let loaded: LoadedModel
    let session: ChatSession
    let history: HistoryFile
    let verbose: Bool

    private static let prompt = ">>> "
    private static let continuationPrompt = "... "

    func run() {
        let editor = LineEditor()
        let earlier = history.load()
        for entry in earlier { editor.addToHistory(entry) }
        var lastEntry = earlier.last
        Interrupt.install()
        Console.err("seek \(SeekVersion.string) · \(loaded.name) (\(loaded.model.config.modelType)) · "
            + "context \(session.contextSize) tokens · /help for commands, Ctrl-D to leave\n")
        if !session.canChat {
            Console.err("\(loaded.name) has no chat template: each message is completed as plain text, on its own\n")
        }

        var input = MultilineInput()
        while true {
            switch editor.readLine(prompt: input.isContinuing ? ChatREPL.continuationPrompt : ChatREPL.prompt) {
            case .endOfInput:
                Console.out("\n")
                return
            case .interrupted(let partial):
                if partial.isEmpty, !input.isContinuing { return }
                input.reset()
            case .line(let line):
                let command = input.isContinuing ? nil : SlashCommand.parse(line)
                guard let message = command == nil ? input.feed(line) : line else { continue }
                if message.trimmingCharacters(in: .whitespaces).isEmpty { continue }
                if message != lastEntry {
                    editor.addToHistory(message)
                    do { try history.append(message) } catch { Console.warning(ErrorMessage.text(for: error)) }
                    lastEntry = message
                }
                if let command {
                    if !handle(command) { return }
                } else {
                    reply(to: message)
                }
            }
        }
    }

    private func reply(to message: String) {
        Interrupt.clear()
        var endsWithNewline = true
        do {
            let completion = try session.send(message, isCancelled: { Interrupt.isPending }) { piece in
                Console.out(piece)
                endsWithNewline = piece.hasSuffix("\n")
            }
            if !endsWithNewline { Console.out("\n") }
            if completion.finishReason == .length, session.contextUsed >= session.contextSize {
                Console.err("[the context is full: /clear to start over, or restart with a larger --ctx-size]\n")
            }
            if verbose { Console.err(StatsReport.oneLine(completion.stats) + "\n") }
        } catch {
            if !endsWithNewline { Console.out("\n") }
            Console.error(ErrorMessage.text(for: error))
        }
        Interrupt.clear()
    }

    /// Runs a slash command; false means leave.
    private func handle(_ command: SlashCommand) -> Bool {
        switch command {
        case .help:
            Console.out(SlashCommand.helpText + "\n")
        case .bye:
            return false
        case .clear:
            session.clear()
            Console.out("Cleared the conversation.\n")
        case .system(let text):
            if let text {
                guard session.canChat else {
                    Console.error("\(loaded.name) has no chat template, so it has no system message")
                    break
                }
                session.conversation.system = text
                Console.out("Set the system message.\n")
            } else {
                Console.out((session.conversation.system ?? "(no system message)") + "\n")
            }
        case .set(let name, let value):
            do {
                try session.set(name, to: value)
                Console.out("Set \(name) to \(value).\n")
            } catch {
                Console.error(ErrorMessage.text(for: error))
            }
        case .showSettings:
            Console.out(ModelReport.settings(session.settings) + "\n")
        case .show:
            show()
        case .save(let path):
            do {
                try session.conversation.save(to: path, model: loaded.name)
                Console.out("Saved \(session.conversation.messages.count) messages to \(path).\n")
            } catch {
                Console.error(ErrorMessage.text(for: error))
            }
        case .load(let path):
            do {
                session.conversation = try Conversation.load(from: path)
                Console.out("Loaded \(session.conversation.messages.count) messages from \(path).\n")
            } catch {
                Console.error(ErrorMessage.text(for: error))
            }
        case .stats:
            if let stats = session.lastStats {
                Console.out(StatsReport.lines(stats).joined(separator: "\n") + "\n")
            } else {
                Console.out("No reply yet.\n")
            }
        case .usage(let text):
            Console.error(text)
        case .unknown(let name):
            Console.error("unknown command \(name); type /help for the list")
        }
        return true
    }

    private func show() {
        let lines = [
            "model     \(loaded.name) (\(loaded.folder))",
            "config    \(ModelReport.summary(loaded))",
            "context   \(session.contextUsed) of \(session.contextSize) tokens used",
            "settings  \(ModelReport.settings(session.settings))",
            "system    \(session.conversation.system ?? "(none)")",
            "messages  \(session.conversation.messages.count)",
        ]
        Console.out(lines.joined(separator: "\n") + "\n")
    }
}
