import Foundation
import SeekEngine

/// The text of a one-shot prompt: `-p`, `-f FILE` or all of stdin. One trailing newline (what `echo`
/// and editors add, `\n` or `\r\n`) is dropped; invalid UTF-8 is replaced with U+FFFD and a warning.
///
/// A file or stdin is opened first (so that a missing file is reported before a model loads) and read
/// later with a bound: a prompt can hold at most the context's tokens, and no token is longer than
/// `bytesPerToken` bytes, so a larger input fails at once instead of being read and tokenized whole.
/// Streams work: `-f <(cmd)`, `-f /dev/stdin`, a pipe on stdin.
enum PromptInput {
    /// Generous bytes per token (DeepSeek's longest token is 128 bytes).
    static let bytesPerToken = 256

    /// Where the prompt comes from, opened but not yet read.
    enum Source {
        case text(String)
        case stream(descriptor: Int32, name: String)

        /// The text, failing as soon as more than `limit` bytes arrive (`contextTokens`: the context
        /// the limit comes from, for the message).
        func read(limit: Int, contextTokens: Int? = nil) throws -> String {
            switch self {
            case .text(let text): return text
            case .stream(let descriptor, let name):
                defer { if descriptor != STDIN_FILENO { close(descriptor) } }
                do {
                    return PromptInput.decode(try RegularFile.readAll(descriptor, limit: limit, file: name), source: name)
                } catch let error as FileReadError {
                    if case .tooLarge = error.problem { throw PromptInputError(source: name, problem: .tooLarge(limit: limit, contextTokens: contextTokens)) }
                    throw PromptInputError(source: name, problem: .cannotRead(error.problem.description))
                }
            }
        }
    }

    /// The prompt's source, or nil when there is none (no -p or -f, and stdin is a terminal).
    static func source(prompt: String?, file: String?) throws -> Source? {
        if let prompt { return .text(prompt) }
        if let file { return .stream(descriptor: try open(file), name: file) }
        if Console.stdinWasClosed { throw PromptInputError(source: "stdin", problem: .closed) }
        guard !Console.stdinIsTerminal else { return nil }
        try requireReadable(STDIN_FILENO, name: "stdin")
        return .stream(descriptor: STDIN_FILENO, name: "stdin")
    }

    /// The whole prompt at once, at most `limit` bytes (`seek tokenize`).
    static func read(prompt: String?, file: String?, limit: Int) throws -> String? {
        try source(prompt: prompt, file: file)?.read(limit: limit)
    }

    /// Opens a prompt file: a regular file, a FIFO (`<(cmd)`), or a character device (`/dev/stdin`);
    /// not a directory.
    private static func open(_ file: String) throws -> Int32 {
        guard !file.isEmpty else { throw PromptInputError(source: "-f", problem: .cannotRead("the file name is empty")) }
        let descriptor = Foundation.open(file, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            let code = errno
            throw PromptInputError(source: file, problem: code == ENOENT ? .noSuchFile : .cannotRead(String(cString: strerror(code))))
        }
        do { try requireReadable(descriptor, name: file) } catch {
            close(descriptor)
            throw error
        }
        return descriptor
    }

    /// Throws for a descriptor that is a directory (read would fail with EISDIR).
    private static func requireReadable(_ descriptor: Int32, name: String) throws {
        var st = stat()
        guard fstat(descriptor, &st) == 0 else {
            throw PromptInputError(source: name, problem: .cannotRead(String(cString: strerror(errno))))
        }
        if st.st_mode & S_IFMT == S_IFDIR { throw PromptInputError(source: name, problem: .cannotRead("is a directory")) }
    }

    static func decode(_ data: Data, source: String) -> String {
        var text: String
        if let valid = String(data: data, encoding: .utf8) {
            text = valid
        } else {
            text = String(decoding: data, as: UTF8.self)
            Console.warning("\(source) is not valid UTF-8; invalid bytes were replaced with U+FFFD")
        }
        // By scalars: "\r\n" is one Character, which hasSuffix("\n") does not match.
        var scalars = text.unicodeScalars
        if scalars.last == "\n" {
            scalars.removeLast()
            if scalars.last == "\r" { scalars.removeLast() }
            text = String(scalars)
        }
        return text
    }
}

/// A prompt (-f FILE or stdin) that cannot be read.
struct PromptInputError: Error, CustomStringConvertible {
    enum Problem {
        case noSuchFile
        case closed
        case cannotRead(String)
        case tooLarge(limit: Int, contextTokens: Int?)
    }

    let source: String
    let problem: Problem

    var description: String {
        switch problem {
        case .noSuchFile: return "\(source): no such file"
        case .closed: return "\(source): closed; give the prompt with -p or -f"
        case .cannotRead(let reason): return "\(source): \(reason)"
        case .tooLarge(let limit, let tokens?):
            return "\(source): the prompt is more than \(limit) bytes, more than a context of \(tokens) tokens can hold"
        case .tooLarge(let limit, nil):
            return "\(source): more than \(limit) bytes"
        }
    }
}
