/// A chat template that could not be parsed or rendered.
///
/// `message` is the bare problem ("unexpected tag 'endfor'"); `line` is the template line it refers to,
/// when known; `template` names the template when its owner gave it a name (a file and field).
/// `description` joins them into the one line a user sees.
public struct TemplateError: Error, CustomStringConvertible, Equatable {
    public let message: String
    public let line: Int?
    public var template: String?

    public init(message: String, line: Int?, template: String? = nil) {
        self.message = message
        self.line = line
        self.template = template
    }

    public var description: String {
        let name = template ?? "chat template"
        if let line { return "\(name) line \(line): \(message)" }
        return "\(name): \(message)"
    }
}

/// A problem found while evaluating; the interpreter adds the template line.
struct ValueError: Error {
    let message: String
    init(_ message: String) { self.message = message }
}
