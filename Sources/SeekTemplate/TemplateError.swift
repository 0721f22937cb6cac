/// A chat template that could not be parsed or rendered.
///
/// `message` is the bare problem ("unexpected tag 'endfor'"); `line` is the template line it refers to,
/// when known. `description` joins them into the one line a user sees.
public struct TemplateError: Error, CustomStringConvertible, Equatable {
    public let message: String
    public let line: Int?

    public init(message: String, line: Int?) {
        self.message = message
        self.line = line
    }

    public var description: String {
        if let line { return "chat template line \(line): \(message)" }
        return "chat template: \(message)"
    }
}
