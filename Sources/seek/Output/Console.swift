import Foundation

/// Unbuffered writes to stdout and stderr (streamed tokens must appear at once), and the one-line
/// error format every failure uses.
enum Console {
    static func out(_ text: String) { write(text, to: STDOUT_FILENO) }
    static func err(_ text: String) { write(text, to: STDERR_FILENO) }

    /// Prints "error: MESSAGE" on stderr.
    static func error(_ message: String) { err("error: \(message)\n") }
    static func warning(_ message: String) { err("warning: \(message)\n") }

    static var stdinIsTerminal: Bool { isatty(STDIN_FILENO) == 1 }

    private static func write(_ text: String, to descriptor: Int32) {
        var bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeMutableBytes { Foundation.write(descriptor, $0.baseAddress! + offset, $0.count - offset) }
            if written < 0 {
                if errno == EINTR { continue }
                return  // a closed pipe: nothing sensible left to do with the text
            }
            offset += written
        }
    }
}
