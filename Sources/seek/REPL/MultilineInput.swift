/// Joins the lines of one chat message, as ollama does: a line ending in `\` continues on the next
/// line, and a `"""` opens a block that runs until a line ending in `"""`.
struct MultilineInput {
    private var lines: [String] = []
    private var inBlock = false

    /// Whether the next line continues the message (the prompt should say so).
    var isContinuing: Bool { !lines.isEmpty || inBlock }

    /// Feeds one typed line; returns the whole message once it is complete.
    mutating func feed(_ line: String) -> String? {
        if inBlock {
            if line.hasSuffix("\"\"\"") {
                lines.append(String(line.dropLast(3)))
                return finish()
            }
            lines.append(line)
            return nil
        }
        if lines.isEmpty, line.hasPrefix("\"\"\"") {
            let rest = String(line.dropFirst(3))
            if rest.count >= 3, rest.hasSuffix("\"\"\"") {  // """one line"""
                lines.append(String(rest.dropLast(3)))
                return finish()
            }
            inBlock = true
            if !rest.isEmpty { lines.append(rest) }
            return nil
        }
        if line.hasSuffix("\\") {
            lines.append(String(line.dropLast()))
            return nil
        }
        lines.append(line)
        return finish()
    }

    /// Drops a half-typed message (Ctrl-C).
    mutating func reset() {
        lines.removeAll()
        inBlock = false
    }

    private mutating func finish() -> String {
        defer { reset() }
        return lines.joined(separator: "\n")
    }
}
