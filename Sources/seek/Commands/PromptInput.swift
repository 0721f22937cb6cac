import Foundation

/// The text of a one-shot prompt: `-p`, `-f FILE` or all of stdin. One trailing newline (what `echo`
/// and editors add) is dropped; invalid UTF-8 is replaced with U+FFFD and a warning.
enum PromptInput {
    static func read(prompt: String?, file: String?) throws -> String? {
        if let prompt { return prompt }
        if let file {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw PromptFileError(file: file, exists: FileManager.default.fileExists(atPath: file))
            }
            return decode(data, source: file)
        }
        guard !Console.stdinIsTerminal else { return nil }
        return decode(FileHandle.standardInput.readDataToEndOfFile(), source: "stdin")
    }

    private static func decode(_ data: Data, source: String) -> String {
        var text: String
        if let valid = String(data: data, encoding: .utf8) {
            text = valid
        } else {
            text = String(decoding: data, as: UTF8.self)
            Console.warning("\(source) is not valid UTF-8; invalid bytes were replaced with U+FFFD")
        }
        if text.hasSuffix("\n") { text.removeLast() }  // "\r\n" is one Character, removed whole
        return text
    }
}


/// A prompt file (-f) that cannot be read.
struct PromptFileError: Error, CustomStringConvertible {
    let file: String
    let exists: Bool
    var description: String { "\(file): " + (exists ? "cannot read it" : "no such file") }
}
