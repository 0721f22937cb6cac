import Foundation

/// One thing the user entered at the chat prompt: a message (continuation lines already joined) or a
/// slash command.
enum ChatEntry {
    case message(String)
    case command(SlashCommand)
}

/// The read side of a chat, shared by the local and the remote REPL: readline editing, `\` and
/// `"""` continuation lines, the history file, Ctrl-C (clears the line; on an empty prompt it leaves)
/// and Ctrl-D (leaves).
struct ChatInputLoop {
    let history: HistoryFile
    let style: TerminalStyle
    /// Reports a problem that does not stop the chat (a history file that cannot be written).
    let warn: (String) -> Void

    private static let prompt = ">>> "
    private static let continuationPrompt = "... "

    /// Reads entries and passes each to `handle` until the user leaves or `handle` returns false.
    func run(_ handle: (ChatEntry) -> Bool) {
        let editor = LineEditor(style: style)
        let earlier = history.load()
        for entry in earlier { editor.addToHistory(entry) }
        var lastEntry = earlier.last
        Interrupt.install()
        var input = MultilineInput()
        while true {
            switch editor.readLine(prompt: input.isContinuing ? Self.continuationPrompt : Self.prompt) {
            case .endOfInput:
                // Leave the shell's prompt on a line of its own; on stderr, where the prompt was.
                Console.err("\n")
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
                    do { try history.append(message) } catch { warn(ErrorMessage.text(for: error)) }
                    lastEntry = message
                }
                let entry: ChatEntry = command.map { .command($0) } ?? .message(message)
                if !handle(entry) { return }
            }
        }
    }
}
