@preconcurrency import CReadline
import Foundation

/// GNU readline behind a small Swift interface. This is the only file that touches readline's C
/// globals: readline is single-threaded and so is the chat loop that calls it.
///
/// It uses readline's callback interface, so that the wait for a key is our own `poll`, which a Ctrl-C
/// interrupts: readline's own signal handlers are switched off and `Interrupt` takes SIGINT.
final class LineEditor {
    enum Input: Equatable {
        case line(String)
        /// Ctrl-C, with whatever had been typed on the line.
        case interrupted(partial: String)
        /// Ctrl-D on an empty line, or stdin closed.
        case endOfInput
    }

    /// Set by the line handler readline calls from `rl_callback_read_char`.
    private nonisolated(unsafe) static var completed: Input?

    private let style: TerminalStyle

    /// Readline writes the prompt, the echo and its terminal codes to stderr, not stdout: stdout
    /// carries only replies, so it can be redirected to a file.
    init(style: TerminalStyle = .plain) {
        self.style = style
        rl_outstream = stderr
        rl_readline_name = UnsafePointer(LineEditor.applicationName)
        rl_catch_signals = 0
        rl_catch_sigwinch = 1
    }

    private nonisolated(unsafe) static let applicationName: UnsafeMutablePointer<CChar> = strdup("seek")

    /// Reads one line with editing and history. Does not add it to the history.
    func readLine(prompt: String) -> Input {
        LineEditor.completed = nil
        rl_callback_handler_install(style.prompt(prompt)) { line in
            if let line {
                LineEditor.completed = .line(String(cString: line))
                free(line)
            } else {
                LineEditor.completed = .endOfInput
            }
            rl_callback_handler_remove()  // so readline does not redraw the prompt after the line
        }
        var descriptors = [pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0),
                           pollfd(fd: Interrupt.wakeDescriptor, events: Int16(POLLIN), revents: 0)]
        while LineEditor.completed == nil {
            if Interrupt.clear() {
                let partial = rl_line_buffer.map { String(cString: $0) } ?? ""
                return finishAbruptly(.interrupted(partial: partial))
            }
            if poll(&descriptors, nfds_t(descriptors.count), -1) < 0 {
                guard errno == EINTR else { return finishAbruptly(.endOfInput) }
                continue  // Ctrl-C is seen at the top of the loop; other signals (a resize) just wake us
            }
            if descriptors[0].revents & Int16(POLLIN | POLLHUP | POLLERR) != 0 { rl_callback_read_char() }
        }
        return LineEditor.completed ?? .endOfInput
    }

    /// Abandons the line being edited, restores the terminal and moves to a fresh line.
    private func finishAbruptly(_ input: Input) -> Input {
        rl_free_line_state()
        rl_callback_sigcleanup()
        rl_callback_handler_remove()
        Console.err("\n")
        return input
    }

    /// Makes `entry` reachable with the up arrow.
    func addToHistory(_ entry: String) { add_history(entry) }
}
