import ArgumentParser
import Foundation

/// When to colour what seek writes to a terminal (`--color`).
enum ColorChoice: String, ExpressibleByArgument, CaseIterable {
    case never, auto, always
}

/// Colour and emphasis for text shown on a terminal: the chat prompt, status lines, warnings and a
/// reasoning model's thinking. Plain text when colour is off.
struct TerminalStyle {
    let enabled: Bool

    static let plain = TerminalStyle(enabled: false)

    /// `--color always` colours, `never` does not; `auto` (the default) colours when `descriptor` is a
    /// terminal, `NO_COLOR` is unset or empty (no-color.org) and TERM is not "dumb".
    static func resolve(_ choice: ColorChoice?, descriptor: Int32,
                        environment: [String: String] = ProcessInfo.processInfo.environment) -> TerminalStyle {
        switch choice ?? .auto {
        case .always: return TerminalStyle(enabled: true)
        case .never: return .plain
        case .auto:
            let noColor = !(environment["NO_COLOR"] ?? "").isEmpty
            return TerminalStyle(enabled: isatty(descriptor) == 1 && !noColor && environment["TERM"] != "dumb")
        }
    }

    private func wrap(_ text: String, _ code: String) -> String {
        enabled && !text.isEmpty ? "\u{1B}[\(code)m" + text + "\u{1B}[0m" : text
    }

    /// Status lines and notices: faint.
    func dim(_ text: String) -> String { wrap(text, "2") }
    /// A reasoning model's thinking: faint and italic.
    func reasoning(_ text: String) -> String { wrap(text, "2;3") }
    func warning(_ text: String) -> String { wrap(text, "33") }
    func error(_ text: String) -> String { wrap(text, "31") }

    /// The chat prompt for readline: bold green, with the escape codes marked as taking no columns
    /// (RL_PROMPT_START_IGNORE / RL_PROMPT_END_IGNORE) so line editing keeps its place.
    func prompt(_ text: String) -> String {
        enabled ? "\u{01}\u{1B}[1;32m\u{02}" + text + "\u{01}\u{1B}[0m\u{02}" : text
    }
}
