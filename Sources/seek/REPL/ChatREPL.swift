import Foundation
import SeekChat
import SeekEngine

/// The interactive chat loop: read a message (or a /command), stream the reply, repeat.
///
/// Only replies go to stdout; the prompt, banner, command output and notices go to the terminal
/// (stderr, where readline writes too), so `seek > replies.txt` captures the replies alone.
struct ChatREPL {
    let loaded: LoadedModel
    let session: ChatSession
    let history: HistoryFile
    let verbose: Bool
    /// Styles what goes to stderr (prompt, status); `replyStyle` what goes to stdout.
    let style: TerminalStyle
    let replyStyle: TerminalStyle

    func run() {
        status("seek \(SeekVersion.string) · \(loaded.name) (\(loaded.model.config.modelType)) · "
            + "context \(session.contextSize) tokens · /help for commands, Ctrl-D to leave")
        if !session.canChat {
            status("\(loaded.name) has no chat template: each message is completed as plain text, on its own")
        }
        ChatInputLoop(history: history, style: style, warn: warn).run { entry in
            switch entry {
            case .command(let command): return handle(command)
            case .message(let message): reply(to: message); return true
            }
        }
    }

    private func reply(to message: String) {
        Interrupt.clear()
        var writer: ReplyWriter?
        do {
            let completion = try session.send(message, isCancelled: { Interrupt.isPending }, onWarning: { warning in
                status("[" + ErrorMessage.text(for: warning) + "]")
            }) { piece in
                if writer == nil { writer = ReplyWriter(style: replyStyle, startsThinking: session.replyStartsThinking) }
                writer?.write(piece)
            }
            writer?.finish()
            if writer == nil { Console.out("\n") }  // an empty reply still ends its line
            if completion.finishReason == .length, session.contextUsed >= session.contextSize {
                status("[the context is full: the reply stopped here; the next message makes room by dropping the oldest turns]")
            }
            if verbose { status(StatsReport.oneLine(completion.stats)) }
        } catch {
            writer?.finish()
            fail(ErrorMessage.text(for: error))
        }
        Interrupt.clear()
    }

    /// A status line or notice: to the terminal, dimmed.
    private func status(_ text: String) { Console.err(style.dim(text) + "\n") }
    /// Command output: to the terminal.
    private func show(_ text: String) { Console.err(text + "\n") }
    private func warn(_ text: String) { Console.err(style.warning("warning: \(text)") + "\n") }
    private func fail(_ text: String) { Console.err(style.error("error: \(text)") + "\n") }

    /// Runs a slash command; false means leave.
    private func handle(_ command: SlashCommand) -> Bool {
        switch command {
        case .help:
            show(SlashCommand.helpText)
        case .bye:
            return false
        case .clear:
            session.clear()
            show("Cleared the conversation.")
        case .system(let text):
            if let text {
                guard session.canChat else {
                    fail("\(loaded.name) has no chat template, so it has no system message")
                    break
                }
                session.conversation.system = text
                show("Set the system message.")
            } else {
                show((session.conversation.system ?? "(no system message)"))
            }
        case .set(let name, let value):
            do {
                try session.set(name, to: value)
                show("Set \(name) to \(value).")
            } catch {
                fail(ErrorMessage.text(for: error))
            }
        case .showSettings:
            show(ModelReport.settings(session.settings))
        case .show:
            showModel()
        case .save(let path):
            do {
                try session.conversation.save(to: path, model: loaded.name)
                show("Saved \(session.conversation.messages.count) messages to \(path).")
            } catch {
                fail(ErrorMessage.text(for: error))
            }
        case .load(let path):
            do {
                session.conversation = try Conversation.load(from: path)
                show("Loaded \(session.conversation.messages.count) messages from \(path).")
            } catch {
                fail(ErrorMessage.text(for: error))
            }
        case .stats:
            if let stats = session.lastStats {
                show(StatsReport.lines(stats).joined(separator: "\n"))
            } else {
                show("No reply yet.")
            }
        case .usage(let text):
            fail(text)
        case .unknown(let name):
            fail("unknown command \(name); type /help for the list")
        }
        return true
    }

    private func showModel() {
        let lines = [
            "model     \(loaded.name) (\(loaded.folder))",
            "config    \(ModelReport.summary(loaded))",
            "context   \(session.contextUsed) of \(session.contextSize) tokens used",
            "settings  \(ModelReport.settings(session.settings))",
            "system    \(session.conversation.system ?? "(none)")",
            "messages  \(session.conversation.messages.count)"
                + (session.droppedMessages > 0 ? " (the oldest \(session.droppedMessages) no longer in the context)" : ""),
        ]
        show(lines.joined(separator: "\n"))
    }
}
