/// Text that is not JSON: the problem and where it is (1-based line and column, counted in characters,
/// and the byte offset).
public struct JSONSyntaxError: Error, CustomStringConvertible, Sendable, Equatable {
    public let message: String
    public let line: Int
    public let column: Int
    public let offset: Int

    public init(message: String, line: Int, column: Int, offset: Int) {
        self.message = message
        self.line = line
        self.column = column
        self.offset = offset
    }

    /// "line 3, column 7: expected ',' or '}'" (the caller puts the file name in front).
    public var description: String { "line \(line), column \(column): \(message)" }
}

/// A JSON value of the wrong kind or range for a field: `path` names the field ("model.vocab",
/// "added_tokens[3].id"), `message` what was wrong with it.
public struct JSONFieldError: Error, CustomStringConvertible, Sendable, Equatable {
    public let path: String
    public let message: String

    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    /// "model.vocab: expected an object, got an array".
    public var description: String { path.isEmpty ? message : "\(path): \(message)" }
}
