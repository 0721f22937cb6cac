import Foundation

/// A `/command` typed at the chat prompt.
enum SlashCommand: Equatable {
    case help
    case bye
    case clear
    /// `/system TEXT` sets the system message; `/system` alone shows it.
    case system(String?)
    /// `/set NAME VALUE`; `/set` alone lists the settings.
    case set(name: String, value: String)
    case showSettings
    case show
    case save(path: String)
    case load(path: String)
    case stats
    /// A known command used wrongly: the message says how to use it.
    case usage(String)
    case unknown(String)

    static let helpText = """
        /help                 this help
        /bye, /exit           leave (Ctrl-D does too)
        /clear                forget the conversation (keeps the system message)
        /system [TEXT]        set the system message, or show it
        /set NAME VALUE       change a setting: temperature, top_k, top_p, min_p, repeat_penalty,
                              repeat_last_n, seed, max_tokens
        /show                 the model, its configuration, the settings and the context used
        /save FILE            write the conversation as JSON
        /load FILE            read a conversation saved with /save
        /stats                timings of the last reply
        A line ending in \\ continues on the next line; \"\"\" starts and ends a multi-line block.
        Ctrl-C stops a reply; Ctrl-C on an empty line or Ctrl-D leaves.
        """

    /// Parses a line starting with "/"; nil for any other line.
    static func parse(_ line: String) -> SlashCommand? {
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        guard trimmed.hasPrefix("/") else { return nil }
        let name = String(trimmed.prefix { !$0.isWhitespace })
        let argument = String(trimmed.dropFirst(name.count)).trimmingCharacters(in: .whitespaces)
        switch name.lowercased() {
        case "/help", "/?": return .help
        case "/bye", "/exit", "/quit": return .bye
        case "/clear": return .clear
        case "/system": return .system(argument.isEmpty ? nil : argument)
        case "/show": return .show
        case "/stats": return .stats
        case "/save": return argument.isEmpty ? .usage("usage: /save FILE") : .save(path: argument)
        case "/load": return argument.isEmpty ? .usage("usage: /load FILE") : .load(path: argument)
        case "/set":
            if argument.isEmpty { return .showSettings }
            let parts = argument.split(maxSplits: 1, whereSeparator: \.isWhitespace)
            guard parts.count == 2 else { return .usage("usage: /set NAME VALUE (e.g. /set temperature 0.7)") }
            return .set(name: String(parts[0]).lowercased(), value: String(parts[1]).trimmingCharacters(in: .whitespaces))
        default: return .unknown(name)
        }
    }
}
