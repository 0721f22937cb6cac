import Foundation
import SeekChat
import SeekRemote

/// The chat against a server: the same line editing, history and slash commands as the local chat.
/// The conversation lives here and is sent whole each turn (a server with a prompt cache, such as
/// seek serve, computes only the new turn).
struct RemoteChatREPL {
    let session: RemoteSession
    let history: HistoryFile
    let verbose: Bool
    private var conversation: Conversation
    private var lastReply: RemoteReply?

    init(session: RemoteSession, system: String?, history: HistoryFile, verbose: Bool) {
        self.session = session
        self.history = history
        self.verbose = verbose
        conversation = Conversation(system: system ?? session.target.entry?.system)
    }

    mutating func run() {
        Console.err("seek \(SeekVersion.string) · \(session.model ?? "the server's model") at \(session.target.endpoint.baseURL)"
                    + " · /help for commands, Ctrl-D to leave\n")
        ChatInputLoop(history: history, style: .plain, warn: { Console.warning($0) }).run { entry in
            switch entry {
            case .command(let command): return handle(command)
            case .message(let message): reply(to: message); return true
            }
        }
    }

    private mutating func reply(to message: String) {
        Interrupt.clear()
        conversation.messages.append(.init(role: "user", content: message))
        let printer = ReplyPrinter(reasoningOnStderr: false)
        do {
            let reply = try session.chat(conversation.allMessages, isCancelled: { Interrupt.isPending }) { printer.show($0) }
            printer.finish(newline: true)
            lastReply = reply
            if reply.wasCancelled, reply.text.isEmpty {
                conversation.messages.removeLast()  // as in the local chat: a turn stopped before any text is taken back
            } else {
                conversation.messages.append(.init(role: "assistant", content: reply.text))
            }
            if verbose, !reply.wasCancelled { Console.err("[" + reply.statsLines.joined(separator: "; ") + "]\n") }
        } catch {
            printer.finish(newline: true)
            conversation.messages.removeLast()
            Console.error(RemoteErrorMessage.text(for: error))
        }
        Interrupt.clear()
    }

    /// Runs a slash command; false means leave.
    private mutating func handle(_ command: SlashCommand) -> Bool {
        switch command {
        case .help:
            Console.out(SlashCommand.helpText + "\n")
        case .bye:
            return false
        case .clear:
            conversation.messages.removeAll()
            Console.out("Cleared the conversation.\n")
        case .system(let text):
            if let text {
                conversation.system = text
                Console.out("Set the system message.\n")
            } else {
                Console.out((conversation.system ?? "(no system message)") + "\n")
            }
        case .set(let name, let value):
            do {
                try RemoteSession.apply(name, value, to: &session.sampling)
                Console.out("Set \(name) to \(value).\n")
            } catch {
                Console.error(ErrorMessage.text(for: error))
            }
        case .showSettings:
            Console.out(RemoteSession.describe(session.sampling) + "\n")
        case .show:
            let lines = [
                "model     \(session.model ?? "(the server's)") at \(session.target.endpoint.baseURL)",
                "settings  \(RemoteSession.describe(session.sampling))",
                "system    \(conversation.system ?? "(none)")",
                "messages  \(conversation.messages.count)",
            ]
            Console.out(lines.joined(separator: "\n") + "\n")
        case .save(let path):
            do {
                try conversation.save(to: path, model: session.model ?? session.target.displayName)
                Console.out("Saved \(conversation.messages.count) messages to \(path).\n")
            } catch {
                Console.error(ErrorMessage.text(for: error))
            }
        case .load(let path):
            do {
                conversation = try Conversation.load(from: path)
                Console.out("Loaded \(conversation.messages.count) messages from \(path).\n")
            } catch {
                Console.error(ErrorMessage.text(for: error))
            }
        case .stats:
            Console.out((lastReply?.statsLines ?? ["No reply yet."]).joined(separator: "\n") + "\n")
        case .usage(let text):
            Console.error(text)
        case .unknown(let name):
            Console.error("unknown command \(name); type /help for the list")
        }
        return true
    }
}

/// The command line's words for remote failures: the error's own line, plus the fix where it is a flag.
enum RemoteErrorMessage {
    static func text(for error: any Error) -> String {
        switch error {
        case RemoteError.unauthorized:
            return "\(error) (give --api-key, or set $SEEK_API_KEY or $OPENAI_API_KEY)"
        case RemoteError.notFound:
            return "\(error) (check the URL, and -m against 'seek models --remote URL')"
        default:
            return ErrorMessage.text(for: error)
        }
    }
}
